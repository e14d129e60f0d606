package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hikiai/hikiai/screening"
)

var _ screening.Timings = (*Metrics)(nil)

// Metrics is the Prometheus registry of one server (not the global one, so that
// tests can run many servers in one process).
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.HistogramVec
	Screenings  *prometheus.CounterVec
	Flags       *prometheus.CounterVec
	StoreErrors *prometheus.CounterVec
	// Websites counts website-check outcomes (ObserveWebsite).
	Websites *prometheus.CounterVec
	// CacheLookups counts cache hits and misses by cache (ObserveCache); the hit
	// ratio is rate(hits) / rate(all) in PromQL.
	CacheLookups *prometheus.CounterVec
	// ListRefreshes counts list refreshes by list and status; refreshChecked
	// is when each list was last refreshed without failing, for an alert that
	// a list (whose publisher may rightly not change it for months) is no
	// longer being checked.
	ListRefreshes  *prometheus.CounterVec
	refreshChecked *prometheus.GaugeVec
	// Rescreens counts re-screenings of list changes by status (done,
	// failed); rescreenDone is when one last ended without failing, and the
	// two counters below what it did. A list change that is never re-screened
	// leaves known counterparties unchecked against it: alert on failures.
	Rescreens              *prometheus.CounterVec
	rescreenDone           prometheus.Gauge
	rescreenCounterparties prometheus.Counter
	rescreenCases          prometheus.Counter
	// stages and checks time the steps of each screening (ObserveStage,
	// ObserveCheck), so that a slow answer shows where it spent its time.
	stages *prometheus.HistogramVec
	checks *prometheus.HistogramVec
	lists  *listAgeCollector
}

// stepBuckets are finer than the request histogram's: most steps take well
// under a millisecond, and a request's 2 ms splits into several of them.
var stepBuckets = []float64{.0001, .00025, .0005, .001, .002, .005, .01, .02, .05, .1, .25, 1}

// NewMetrics registers Hikiai's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hikiai_http_request_duration_seconds",
			Help:    "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		Screenings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_screenings_total", Help: "Screenings by action.",
		}, []string{"action"}),
		Flags: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_flags_total", Help: "Red flags raised, by code.",
		}, []string{"code"}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_store_errors_total", Help: "Store errors by operation.",
		}, []string{"op"}),
		Websites: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_website_checks_total",
			Help: "Website checks by outcome (ok, no_website, unreachable, not_company, timeout, blocked, cached, ...).",
		}, []string{"outcome"}),
		CacheLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_cache_lookups_total",
			Help: "Cache lookups by cache and result (hit, miss). Hit ratio: sum(rate(...{result=\"hit\"}[5m])) / sum(rate(...[5m])).",
		}, []string{"cache", "result"}),
		ListRefreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_list_refreshes_total",
			Help: "Scheduled list refreshes by list and status (not_modified, unchanged, imported, failed).",
		}, []string{"source", "status"}),
		refreshChecked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hikiai_list_refresh_success_timestamp_seconds",
			Help: "When each list was last refreshed from its publisher without failing (Unix time).",
		}, []string{"source"}),
		Rescreens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hikiai_rescreens_total",
			Help: "Re-screenings of known counterparties against list changes, by status (done, failed). A failed one is taken up again.",
		}, []string{"status"}),
		rescreenDone: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hikiai_rescreen_success_timestamp_seconds",
			Help: "When this replica last ended a re-screening without failing (Unix time).",
		}),
		rescreenCounterparties: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hikiai_rescreen_counterparties_total",
			Help: "Counterparties re-screened against list changes.",
		}),
		rescreenCases: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hikiai_rescreen_cases_total",
			Help: "Cases opened by re-screenings (a hit already held in a case opens none).",
		}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hikiai_screening_stage_seconds",
			Help:    "Time each stage of a screening took: history, checks, save; and for POST /v1/screenings, decode and answer.",
			Buckets: stepBuckets,
		}, []string{"stage"}),
		checks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hikiai_check_seconds",
			Help:    "Time each red-flag check took, by flag code.",
			Buckets: stepBuckets,
		}, []string{"check"}),
		lists: &listAgeCollector{desc: prometheus.NewDesc("hikiai_list_age_seconds",
			"Seconds since the current snapshot of each denied-party list was imported.", []string{"source"}, nil), now: time.Now},
	}
	m.Registry.MustRegister(m.requests, m.Screenings, m.Flags, m.StoreErrors, m.Websites, m.CacheLookups, m.ListRefreshes, m.refreshChecked,
		m.Rescreens, m.rescreenDone, m.rescreenCounterparties, m.rescreenCases, m.stages, m.checks, m.lists,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observeRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveStage times one stage of a screening (screening.Timings).
func (m *Metrics) ObserveStage(stage screening.Stage, d time.Duration) {
	m.stages.WithLabelValues(string(stage)).Observe(d.Seconds())
}

// ObserveCheck times one check of a screening (screening.Timings). Codes
// are the fixed set of the configured checks, so the label stays bounded.
func (m *Metrics) ObserveCheck(code string, d time.Duration) {
	m.checks.WithLabelValues(code).Observe(d.Seconds())
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// ObserveWebsite counts one website-check outcome. Outcomes are a small fixed
// set chosen by the check (never a URL), so that the label stays bounded.
func (m *Metrics) ObserveWebsite(outcome string) {
	m.Websites.WithLabelValues(outcome).Inc()
}

// ObserveCache counts one lookup in the named cache (website, keys, ...).
func (m *Metrics) ObserveCache(cache string, hit bool) {
	result := "miss"
	if hit {
		result = "hit"
	}
	m.CacheLookups.WithLabelValues(cache, result).Inc()
}

// ObserveListRefresh counts one list's refresh; one that succeeded also sets
// the list's last-success time.
func (m *Metrics) ObserveListRefresh(source, status string, succeeded bool, at time.Time) {
	m.ListRefreshes.WithLabelValues(source, status).Inc()
	if succeeded {
		m.refreshChecked.WithLabelValues(source).Set(float64(at.Unix()))
	}
}

// ObserveRescreen counts one re-screening of list changes: failed when err
// is set (rep then says how far it got), done otherwise.
func (m *Metrics) ObserveRescreen(rep screening.RescreenReport, err error, at time.Time) {
	m.rescreenCounterparties.Add(float64(rep.Counterparties))
	m.rescreenCases.Add(float64(rep.Cases))
	if err != nil {
		m.Rescreens.WithLabelValues("failed").Inc()
		return
	}
	m.Rescreens.WithLabelValues("done").Inc()
	m.rescreenDone.Set(float64(at.Unix()))
}

// ObserveStoreError counts one store error of an operation.
func (m *Metrics) ObserveStoreError(op string) {
	m.StoreErrors.WithLabelValues(op).Inc()
}

// SetListImports tells the metrics where to read when each list's current
// snapshot was imported (source -> time); the ages are computed at every
// scrape, so they keep growing when a refresh stalls. fn must be safe to call
// from the scraping goroutine.
func (m *Metrics) SetListImports(fn func() map[string]time.Time) {
	m.lists.mu.Lock()
	m.lists.imports = fn
	m.lists.mu.Unlock()
}

// listAgeCollector reports hikiai_list_age_seconds from a function read at
// scrape time.
type listAgeCollector struct {
	desc    *prometheus.Desc
	now     func() time.Time
	mu      sync.Mutex
	imports func() map[string]time.Time
}

func (c *listAgeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *listAgeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	fn := c.imports
	c.mu.Unlock()
	if fn == nil {
		return
	}
	now := c.now()
	for source, at := range fn() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, now.Sub(at).Seconds(), source)
	}
}
