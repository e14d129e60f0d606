package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// benchCmd is `hikiai bench`: it drives a running server with a realistic mix
// of inquiries (bench_mix.go) and reports throughput and latency; `hikiai
// bench gen-list` writes synthetic list entries (bench_gen.go).
func benchCmd(ctx context.Context, _ Config, _ *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "gen-list" {
		return genListCmd(args[1:], stdout)
	}
	o, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	sum, err := runBench(ctx, o, stderr)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	sum.print(stdout)
	return nil
}

// benchOptions are the flags of a bench run.
type benchOptions struct {
	server      string
	key         string
	count       int
	duration    time.Duration
	concurrency int
	rate        float64
	warmup      int
	seed        uint64
	websites    bool
	json        bool
	label       string
	timeout     time.Duration
	interval    time.Duration
	cpuProfile  string
}

func parseBenchFlags(args []string) (*benchOptions, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := &benchOptions{}
	fs.StringVar(&o.server, "server", "http://127.0.0.1:8080", "URL of the running hikiai server")
	fs.StringVar(&o.key, "key", "", "API key with the sales or erp role (or --key-file)")
	keyFile := fs.String("key-file", "", "file holding the API key")
	fs.IntVar(&o.count, "count", 10_000, "screenings to send after the warm-up (0: until --duration ends)")
	fs.DurationVar(&o.duration, "duration", 5*time.Minute, "stop sending after this long, whatever --count says")
	fs.IntVar(&o.concurrency, "concurrency", 16, "requests in flight at once")
	fs.Float64Var(&o.rate, "rate", 0, "screenings per second to send (0: as fast as the server answers); latency then counts from each request's planned start")
	fs.IntVar(&o.warmup, "warmup", 300, "screenings sent first and not measured, at --rate when it is set: they fill the website cache, the key cache and the connection pool, and bring the server to the load measured")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the inquiry mix (the same seed sends the same inquiries)")
	fs.BoolVar(&o.websites, "websites", true, "give customers websites on a site the bench serves on 127.0.0.1 (the server needs HIKIAI_FETCH_ALLOW_PRIVATE=true)")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.StringVar(&o.label, "label", "", "free text put in the summary (backend, list size, ...)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time-out of one request")
	fs.StringVar(&o.cpuProfile, "cpu-profile", "", "write the bench's own CPU profile of the measured part to this file (go tool pprof): what the load generator costs on a machine it shares with the server")
	fs.DurationVar(&o.interval, "interval", 0, "also report latency per window of this length (e.g. 10s): shows drift as the store grows, and stalls")
	if err := fs.Parse(args); err != nil {
		return nil, usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return nil, usageError("unexpected argument " + fs.Arg(0))
	}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return nil, fmt.Errorf("--key-file: %w", err)
		}
		o.key = strings.TrimSpace(string(b))
	}
	u, err := url.Parse(strings.TrimRight(o.server, "/"))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, usageError(fmt.Sprintf("--server %q must be an http or https URL such as http://127.0.0.1:8080", o.server))
	case o.key == "":
		return nil, usageError("--key or --key-file is required (hikiai keys create --role erp)")
	case o.count < 0 || o.warmup < 0 || o.concurrency < 1 || o.concurrency > 10_000 || o.duration <= 0 || o.rate < 0 || o.timeout <= 0 || o.interval < 0:
		return nil, usageError("--count and --warmup must be >= 0, --concurrency 1..10000, --duration and --timeout positive, --rate and --interval >= 0")
	}
	o.server = u.String()
	return o, nil
}

// benchSummary is what a run measured; --json prints it as is.
type benchSummary struct {
	Label        string         `json:"label,omitempty"`
	Server       string         `json:"server"`
	StartedAt    time.Time      `json:"started_at"`
	ListEntries  int            `json:"list_entries"`
	ListsVersion string         `json:"lists_version"`
	Concurrency  int            `json:"concurrency"`
	Rate         float64        `json:"rate_per_s,omitempty"`
	Warmup       int            `json:"warmup"`
	Seed         uint64         `json:"seed"`
	Requests     int            `json:"requests"`
	OK           int            `json:"ok"` // 2xx
	Seconds      float64        `json:"seconds"`
	Throughput   float64        `json:"throughput_per_s"` // 2xx per second
	Latency      benchLatency   `json:"latency_ms"`
	Statuses     map[string]int `json:"statuses"` // "201", "503", "transport"
	Actions      map[string]int `json:"actions"`
	Flags        map[string]int `json:"flags"`
	Scenarios    []scenarioRow  `json:"scenarios"`
	// Website says how the website check ran: "cached" (no fetch reached the
	// bench's site while measuring), "fetched N times", "off" or "refused".
	Website     string `json:"website"`
	WebsiteNote string `json:"website_note,omitempty"`
	ClientCPUs  int    `json:"client_cpus"`
	// ClientCPUSeconds is the CPU time the bench process (its workers and
	// its website) used while measuring: on a machine it shares with the
	// server, that much was not the server's. 0: not measured.
	ClientCPUSeconds float64 `json:"client_cpu_s,omitempty"`
	// SendLag is, for an open-loop run, how late each request went out
	// after its planned start: the bench's own delay, part of Latency.
	SendLag *benchLatency `json:"send_lag_ms,omitempty"`
	// ServerSide is the server's own timing of the same screenings.
	ServerSide  benchServerSide `json:"server_side"`
	AimMet      bool            `json:"aim_met"` // >= 1000 screenings/s with p99 < 20 ms
	FirstErrors []string        `json:"first_errors,omitempty"`
	// Intervals is latency per window of --interval, by when answers came.
	Intervals []benchInterval `json:"intervals,omitempty"`
}

// benchInterval is the latency of the answers that came within one window.
type benchInterval struct {
	FromS      float64      `json:"from_s"`
	ToS        float64      `json:"to_s"`
	Answers    int          `json:"answers"`
	Throughput float64      `json:"throughput_per_s"`
	Latency    benchLatency `json:"latency_ms"`
}

type benchLatency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// scenarioRow says how often a scenario raised the flag it is meant to (for
// "clean": how often it raised none).
type scenarioRow struct {
	Scenario string `json:"scenario"`
	Sent     int    `json:"sent"`
	AsMeant  int    `json:"as_meant"`
}

// benchRecorder collects the outcomes of one worker; workers merge at the end.
type benchRecorder struct {
	latencies []time.Duration
	doneAt    []time.Duration // when each answer came, from the start of the run; parallel to latencies
	sendLags  []time.Duration // from each request's planned start to its sending
	statuses  map[string]int
	actions   map[string]int
	flags     map[string]int
	sent      map[string]int
	asMeant   map[string]int
	reasons   map[string]int // no_website reasons of portal customers (warm-up)
	errors    []string
	start     time.Time // of the run, for doneAt
}

func newBenchRecorder() *benchRecorder {
	return &benchRecorder{statuses: map[string]int{}, actions: map[string]int{}, flags: map[string]int{},
		sent: map[string]int{}, asMeant: map[string]int{}, reasons: map[string]int{}}
}

func (r *benchRecorder) merge(o *benchRecorder) {
	r.latencies = append(r.latencies, o.latencies...)
	r.doneAt = append(r.doneAt, o.doneAt...)
	r.sendLags = append(r.sendLags, o.sendLags...)
	for _, p := range [][2]map[string]int{{r.statuses, o.statuses}, {r.actions, o.actions}, {r.flags, o.flags},
		{r.sent, o.sent}, {r.asMeant, o.asMeant}, {r.reasons, o.reasons}} {
		for k, v := range p[1] {
			p[0][k] += v
		}
	}
	for _, e := range o.errors {
		if len(r.errors) < 5 {
			r.errors = append(r.errors, e)
		}
	}
}

// benchAnswer is the part of a screening answer the bench reads.
type benchAnswer struct {
	Action string `json:"action"`
	Flags  []struct {
		Code     string `json:"code"`
		Evidence struct {
			Reason string `json:"reason"`
		} `json:"evidence"`
	} `json:"flags"`
	Error *apiError `json:"error"`
}

// benchClient sends screenings.
type benchClient struct {
	http     *http.Client
	endpoint string
	key      string
	mix      *benchMix
}

func runBench(ctx context.Context, o *benchOptions, progress io.Writer) (*benchSummary, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = o.concurrency * 2
	tr.MaxIdleConnsPerHost = o.concurrency * 2
	c := &benchClient{http: &http.Client{Transport: tr, Timeout: o.timeout}, endpoint: o.server + "/v1/screenings", key: o.key}
	defer tr.CloseIdleConnections()
	sum := &benchSummary{Label: o.label, Server: o.server, Concurrency: o.concurrency, Rate: o.rate, Warmup: o.warmup,
		Seed: o.seed, ClientCPUs: runtime.NumCPU()}
	if err := c.lists(ctx, sum); err != nil {
		return nil, err
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	run := time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(rnd[:])
	// Simulated intake: received_at steps 30 s per inquiry, ending about now.
	total := o.warmup + o.count
	if o.count == 0 {
		total = o.warmup + 100_000
	}
	mix := newBenchMix(run, o.seed, time.Now().UTC().Add(-time.Duration(total)*30*time.Second).Truncate(time.Second))
	c.mix = mix
	var site *benchSite
	if o.websites {
		var err error
		if site, err = startBenchSite(mix.portalNames()); err != nil {
			return nil, err
		}
		defer site.close()
		mix.setSite(site.url, site.parkedURL())
	}

	if o.warmup > 0 {
		fmt.Fprintf(progress, "warm-up, %d screenings\n", o.warmup)
		warm := c.drive(ctx, 0, o.warmup, time.Hour, o.concurrency, o.rate, true)
		if warm.statuses["201"]+warm.statuses["200"] == 0 {
			return nil, fmt.Errorf("no screening succeeded during the warm-up: %v %s", warm.statuses, strings.Join(warm.errors, "; "))
		}
		sum.WebsiteNote = websiteNote(o.websites, warm)
	}
	fetchesBefore := int64(0)
	if site != nil {
		fetchesBefore = site.hits.Load()
	}
	fmt.Fprintf(progress, "measuring, count %d, duration %s, concurrency %d\n", o.count, o.duration, o.concurrency)
	metricsBefore, scrapeErr := scrapeMetrics(ctx, c.http, o.server)
	cpuBefore, cpuOK := processCPU()
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return nil, err
	}
	sum.StartedAt = time.Now().UTC()
	start := time.Now()
	rec := c.drive(ctx, o.warmup, o.count, o.duration, o.concurrency, o.rate, false)
	elapsed := time.Since(start)
	if err := stopProfile(); err != nil {
		return nil, err
	}
	if cpuAfter, ok := processCPU(); ok && cpuOK {
		sum.ClientCPUSeconds = math.Round((cpuAfter-cpuBefore).Seconds()*100) / 100
	}
	if scrapeErr == nil {
		var metricsAfter benchMetrics
		if metricsAfter, scrapeErr = scrapeMetrics(ctx, c.http, o.server); scrapeErr == nil {
			sum.ServerSide = serverSideOf(metricsBefore, metricsAfter)
		}
	}
	if scrapeErr != nil {
		sum.ServerSide = benchServerSide{Unavailable: scrapeErr.Error()}
	}
	switch {
	case site == nil:
		sum.Website = "off (--websites=false: inquiries carry no websites)"
	case site.hits.Load() == fetchesBefore && rec.flags["no_website"] == 0:
		sum.Website = "off on the server (no no_website flag at all)"
	case site.hits.Load() == fetchesBefore:
		sum.Website = "cached"
	default:
		sum.Website = fmt.Sprintf("fetched %d times during the run", site.hits.Load()-fetchesBefore)
	}
	sum.fill(rec, elapsed)
	sum.Intervals = intervalsOf(rec, o.interval)
	return sum, nil
}

// startCPUProfile starts a CPU profile into path ("": none) and returns
// what stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpu-profile %s: %w", path, err)
		}
		return nil
	}, nil
}

// websiteNote reads the warm-up's no_website flags on portal customers: any
// means the server could not read the bench's site.
func websiteNote(websites bool, warm *benchRecorder) string {
	if !websites || len(warm.reasons) == 0 {
		return ""
	}
	var parts []string
	for r, n := range warm.reasons {
		parts = append(parts, fmt.Sprintf("%s x%d", r, n))
	}
	sort.Strings(parts)
	note := "customers listed on the bench's site got no_website (" + strings.Join(parts, ", ") + ")"
	if warm.reasons["unreachable"] > 0 {
		note += ": the server refuses loopback sites; run it with HIKIAI_FETCH_ALLOW_PRIVATE=true, or the bench with --websites=false"
	}
	return note
}

// lists reads the server's loaded lists; it also checks the key.
func (c *benchClient) lists(ctx context.Context, sum *benchSummary) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.endpoint, "/screenings")+"/lists", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1/lists answered %s", errorOfResponse(resp))
	}
	var body struct {
		Version string `json:"version"`
		Lists   []struct {
			Entries int `json:"entries"`
		} `json:"lists"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("GET /v1/lists: %w", err)
	}
	sum.ListsVersion = body.Version
	for _, l := range body.Lists {
		sum.ListEntries += l.Entries
	}
	return nil
}

// drive sends inquiries first..first+count-1 (count 0: until d ends) from n
// workers and records the outcomes. With rate > 0 request i is planned at
// start + i/rate and its latency counts from then, so that a slow answer
// cannot hide the queue behind it (no coordinated omission).
func (c *benchClient) drive(ctx context.Context, first, count int, d time.Duration, n int, rate float64, warm bool) *benchRecorder {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next atomic.Int64
	start := time.Now()
	recs := make([]*benchRecorder, n)
	var wg sync.WaitGroup
	for w := range n {
		recs[w] = newBenchRecorder()
		recs[w].start = start
		rec := recs[w]
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if count > 0 && i >= count {
					return
				}
				planned := time.Now()
				if rate > 0 {
					planned = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
					if wait := time.Until(planned); wait > 0 {
						select {
						case <-ctx.Done():
							return
						case <-time.After(wait):
						}
					}
				}
				c.one(ctx, first+i, planned, rec, warm)
			}
		})
	}
	wg.Wait()
	all := newBenchRecorder()
	for _, r := range recs {
		all.merge(r)
	}
	return all
}

// one sends inquiry i and records what came back.
func (c *benchClient) one(ctx context.Context, i int, planned time.Time, rec *benchRecorder, warm bool) {
	inq, scenario := c.mix.inquiry(i)
	body, err := json.Marshal(&inq)
	if err != nil {
		rec.statuses["encode"]++
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		rec.statuses["encode"]++
		return
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	rec.sendLags = append(rec.sendLags, time.Since(planned))
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return // the run ended while this request was in flight: not an outcome
		}
		rec.statuses["transport"]++
		rec.answered(planned)
		if len(rec.errors) < 5 {
			rec.errors = append(rec.errors, err.Error())
		}
		return
	}
	raw, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	rec.answered(planned)
	rec.statuses[fmt.Sprint(resp.StatusCode)]++
	var ans benchAnswer
	if rerr != nil || json.Unmarshal(raw, &ans) != nil {
		rec.statuses["unreadable"]++
		return
	}
	if resp.StatusCode/100 != 2 {
		if len(rec.errors) < 5 && ans.Error != nil {
			rec.errors = append(rec.errors, fmt.Sprintf("%d %s: %s", resp.StatusCode, ans.Error.Code, ans.Error.Message))
		}
		return
	}
	rec.actions[ans.Action]++
	rec.sent[scenario]++
	meant := scenario == scenarioClean && len(ans.Flags) == 0
	for _, f := range ans.Flags {
		rec.flags[f.Code]++
		meant = meant || f.Code == scenario
		if warm && f.Code == "no_website" && scenario == scenarioClean && inq.Customer.Website != "" {
			rec.reasons[f.Evidence.Reason]++
		}
	}
	if meant {
		rec.asMeant[scenario]++
	}
}

// answered records the latency of a request planned at planned, now.
func (r *benchRecorder) answered(planned time.Time) {
	now := time.Now()
	r.latencies = append(r.latencies, now.Sub(planned))
	r.doneAt = append(r.doneAt, now.Sub(r.start))
}

// intervalsOf splits the answers into windows of length every by when they
// came (nil when every is 0).
func intervalsOf(rec *benchRecorder, every time.Duration) []benchInterval {
	if every <= 0 || len(rec.doneAt) == 0 {
		return nil
	}
	var buckets [][]time.Duration
	for i, at := range rec.doneAt {
		b := int(at / every)
		for len(buckets) <= b {
			buckets = append(buckets, nil)
		}
		buckets[b] = append(buckets[b], rec.latencies[i])
	}
	out := make([]benchInterval, len(buckets))
	for b, ds := range buckets {
		out[b] = benchInterval{FromS: (time.Duration(b) * every).Seconds(), ToS: (time.Duration(b+1) * every).Seconds(),
			Answers: len(ds), Throughput: float64(len(ds)) / every.Seconds(), Latency: latencyOf(ds)}
	}
	return out
}

// fill computes the summary from the recorded outcomes.
func (s *benchSummary) fill(rec *benchRecorder, elapsed time.Duration) {
	s.Requests = len(rec.latencies)
	for code, n := range rec.statuses {
		if len(code) == 3 && code[0] == '2' {
			s.OK += n
		}
	}
	s.Seconds = elapsed.Seconds()
	if s.Seconds > 0 {
		s.Throughput = float64(s.OK) / s.Seconds
	}
	s.Latency = latencyOf(rec.latencies)
	s.Statuses, s.Actions, s.Flags = rec.statuses, rec.actions, rec.flags
	for _, sc := range benchScenarios {
		s.Scenarios = append(s.Scenarios, scenarioRow{Scenario: sc.name, Sent: rec.sent[sc.name], AsMeant: rec.asMeant[sc.name]})
	}
	s.FirstErrors = rec.errors
	if s.Rate > 0 && len(rec.sendLags) > 0 {
		lag := latencyOf(rec.sendLags)
		s.SendLag = &lag
	}
	s.AimMet = s.sustained(1000) && s.Latency.P99 < 20 && s.OK == s.Requests
}

// sustained says whether the run kept up perSecond answers. Closed loop:
// the answers per second measured. Open loop: the run's own clock ends at
// the last answer, a little after the last planned send, so answers over
// elapsed time comes out just under the offered rate however fast the
// server is; the rate was kept when the offered rate was at least perSecond,
// every request got a 2xx and the run ended within a second of its schedule
// (latency, counted from each planned start, shows any lag within that).
func (s *benchSummary) sustained(perSecond float64) bool {
	if s.Throughput >= perSecond {
		return true
	}
	if s.Rate < perSecond || s.Requests == 0 || s.OK != s.Requests {
		return false
	}
	return s.Seconds <= float64(s.Requests)/s.Rate+1
}

// latencyOf gives percentiles in milliseconds (nearest rank). It sorts a
// copy: the recorder's latencies stay parallel to their answer times.
func latencyOf(ds []time.Duration) benchLatency {
	if len(ds) == 0 {
		return benchLatency{}
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	return benchLatency{P50: ms(rank(0.50)), P95: ms(rank(0.95)), P99: ms(rank(0.99)), Max: ms(ds[len(ds)-1]),
		Mean: ms(total / time.Duration(len(ds)))}
}

func (s *benchSummary) print(w io.Writer) {
	if s.Label != "" {
		fmt.Fprintf(w, "label:      %s\n", s.Label)
	}
	fmt.Fprintf(w, "server:     %s, lists %d entries (version %s)\n", s.Server, s.ListEntries, s.ListsVersion)
	rate := "closed loop"
	if s.Rate > 0 {
		rate = fmt.Sprintf("open loop at %.0f/s", s.Rate)
	}
	fmt.Fprintf(w, "run:        %d screenings in %.1f s, concurrency %d, %s, warm-up %d, seed %d\n",
		s.Requests, s.Seconds, s.Concurrency, rate, s.Warmup, s.Seed)
	fmt.Fprintf(w, "throughput: %.0f screenings/s (2xx)\n", s.Throughput)
	fmt.Fprintf(w, "latency:    p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms  (mean %.2f ms)\n",
		s.Latency.P50, s.Latency.P95, s.Latency.P99, s.Latency.Max, s.Latency.Mean)
	if s.SendLag != nil {
		fmt.Fprintf(w, "send lag:   p50 %.2f ms  p99 %.2f ms  max %.2f ms  (the bench's own delay before sending, part of the latency)\n",
			s.SendLag.P50, s.SendLag.P99, s.SendLag.Max)
	}
	fmt.Fprintf(w, "server-side: %s\n", s.ServerSide.line())
	if len(s.ServerSide.Stages) > 0 {
		fmt.Fprintf(w, "  stages:   %s\n", stepsLine(s.ServerSide.Stages))
	}
	if len(s.ServerSide.Checks) > 0 {
		fmt.Fprintf(w, "  checks:   %s\n", stepsLine(s.ServerSide.Checks))
	}
	if s.ClientCPUSeconds > 0 && s.Seconds > 0 {
		fmt.Fprintf(w, "bench CPU:  %.1f s in %.1f s (%.2f of a core, of %d on this machine)\n",
			s.ClientCPUSeconds, s.Seconds, s.ClientCPUSeconds/s.Seconds, s.ClientCPUs)
	}
	fmt.Fprintf(w, "statuses:   %s\n", countsLine(s.Statuses))
	fmt.Fprintf(w, "actions:    %s\n", countsLine(s.Actions))
	fmt.Fprintf(w, "flags:      %s\n", countsLine(s.Flags))
	fmt.Fprintf(w, "website:    %s\n", s.Website)
	if s.WebsiteNote != "" {
		fmt.Fprintf(w, "            warning: %s\n", s.WebsiteNote)
	}
	for _, e := range s.FirstErrors {
		fmt.Fprintf(w, "error:      %s\n", e)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(s.Intervals) > 0 {
		fmt.Fprintln(tw, "window\tanswers/s\tp50 ms\tp99 ms\tmax ms")
		for _, iv := range s.Intervals {
			fmt.Fprintf(tw, "%.0f-%.0f s\t%.0f\t%.2f\t%.2f\t%.2f\n", iv.FromS, iv.ToS, iv.Throughput, iv.Latency.P50, iv.Latency.P99, iv.Latency.Max)
		}
	}
	fmt.Fprintln(tw, "scenario\tsent\traised its flag (clean: no flag)")
	for _, r := range s.Scenarios {
		pct := 0.0
		if r.Sent > 0 {
			pct = 100 * float64(r.AsMeant) / float64(r.Sent)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d (%.0f%%)\n", r.Scenario, r.Sent, r.AsMeant, pct)
	}
	tw.Flush()
	verdict := "NOT met"
	if s.AimMet {
		verdict = "met"
	}
	fmt.Fprintf(w, "aim (>= 1000 screenings/s, p99 < 20 ms, no errors): %s\n", verdict)
}

func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
