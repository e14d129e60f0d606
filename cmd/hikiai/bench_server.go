package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The bench's latency counts from each request's planned start to its
// answer, so it holds the bench's own delays (a worker woken late on a busy
// machine, encoding, the loopback network) as well as the server's. The
// server times every request too (hikiai_http_request_duration_seconds on
// /metrics); the bench reads that histogram before and after measuring, so
// that a run on a shared machine shows which side the tail is on. It reads
// the server's timing of each stage and check of a screening as well, so
// that a slow run shows which step the server's time went to.

// The server's histograms the bench reads (api/metrics.go).
const (
	requestDurationMetric = "hikiai_http_request_duration_seconds_bucket"
	stageMetric           = "hikiai_screening_stage_seconds"
	checkMetric           = "hikiai_check_seconds"
)

// stageOrder is the order a screening goes through the stages, which the
// summary keeps; a stage it does not know comes after them.
var stageOrder = []string{"decode", "history", "checks", "save", "answer"}

// benchServerSide is the server's own timing of the screenings answered
// while measuring: every 2xx POST /v1/screenings, whoever sent it.
type benchServerSide struct {
	Answers int           `json:"answers"`
	Within  []benchWithin `json:"within,omitempty"`
	// P99AtMostMS is the smallest bucket bound that holds at least 99% of the
	// answers: the server's p99 is at most this. 0: beyond the last bound.
	P99AtMostMS float64 `json:"p99_at_most_ms"`
	// Stages and Checks are the server's timing of each stage of a screening
	// and of each check, over the same answers (and any other screening the
	// server ran meanwhile, batch ones included). Empty from a server that
	// does not time them.
	Stages []benchStep `json:"stages,omitempty"`
	Checks []benchStep `json:"checks,omitempty"`
	// Unavailable says why there is no server-side figure.
	Unavailable string `json:"unavailable,omitempty"`
}

// benchStep is the server's timing of one stage or check while measuring.
type benchStep struct {
	Name   string  `json:"name"`
	Count  int     `json:"count"`
	MeanMS float64 `json:"mean_ms"`
	// P99AtMostMS is the smallest bucket bound that holds at least 99% of
	// them. 0: beyond the last bound.
	P99AtMostMS float64 `json:"p99_at_most_ms"`
}

// benchWithin is the share of answers the server timed at or under MS.
type benchWithin struct {
	MS    float64 `json:"ms"`
	Share float64 `json:"share"`
}

// screeningBuckets maps each bucket bound (seconds) to the count of 2xx
// POST /v1/screenings requests at or under it, summed over the statuses.
type screeningBuckets map[float64]float64

// benchMetrics is what the bench keeps of one scrape of /metrics.
type benchMetrics struct {
	screenings screeningBuckets
	// stages and checks are the step histograms by stage and by check code.
	stages, checks map[string]*stepHistogram
}

// stepHistogram is one series of a step histogram.
type stepHistogram struct {
	buckets    map[float64]float64 // cumulative count at or under each bound
	sum, count float64
}

// scrapeMetrics reads the server's /metrics.
func scrapeMetrics(ctx context.Context, hc *http.Client, server string) (benchMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/metrics", nil)
	if err != nil {
		return benchMetrics{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return benchMetrics{}, fmt.Errorf("GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return benchMetrics{}, fmt.Errorf("GET /metrics answered %d", resp.StatusCode)
	}
	m, err := parseBenchMetrics(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return benchMetrics{}, fmt.Errorf("GET /metrics: %w", err)
	}
	return m, nil
}

// parseBenchMetrics reads Prometheus text exposition and keeps the request
// histogram's buckets of 2xx POST /v1/screenings and the stage and check
// histograms. Other lines are skipped; a line of these it cannot read is an
// error, not a silent zero.
func parseBenchMetrics(r io.Reader) (benchMetrics, error) {
	out := benchMetrics{screenings: screeningBuckets{}, stages: map[string]*stepHistogram{}, checks: map[string]*stepHistogram{}}
	steps := []struct {
		name, label string
		into        map[string]*stepHistogram
	}{{stageMetric, "stage", out.stages}, {checkMetric, "check", out.checks}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if !strings.HasPrefix(text, "hikiai_") {
			continue
		}
		var err error
		if rest, ok := strings.CutPrefix(text, requestDurationMetric+"{"); ok {
			err = out.screenings.add(rest)
		}
		for _, st := range steps {
			for _, part := range []string{"_bucket", "_sum", "_count"} {
				if rest, ok := strings.CutPrefix(text, st.name+part+"{"); ok {
					err = addStep(st.into, st.label, part, rest)
				}
			}
		}
		if err != nil {
			return benchMetrics{}, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return benchMetrics{}, err
	}
	return out, nil
}

// add counts one request-histogram bucket line (what follows its opening
// brace) when it is of a 2xx POST /v1/screenings.
func (b screeningBuckets) add(sample string) error {
	labels, value, err := splitSample(sample)
	if err != nil {
		return err
	}
	if labels["method"] != "POST" || labels["route"] != "/v1/screenings" || !strings.HasPrefix(labels["status"], "2") {
		return nil
	}
	le, err := bucketBound(labels)
	if err != nil {
		return err
	}
	b[le] += value
	return nil
}

// addStep reads one line of a step histogram: part is _bucket, _sum or
// _count, and label names the series (stage, check).
func addStep(into map[string]*stepHistogram, label, part, sample string) error {
	labels, value, err := splitSample(sample)
	if err != nil {
		return err
	}
	name, ok := labels[label]
	if !ok {
		return fmt.Errorf("no %s label", label)
	}
	h := into[name]
	if h == nil {
		h = &stepHistogram{buckets: map[float64]float64{}}
		into[name] = h
	}
	switch part {
	case "_sum":
		h.sum = value
	case "_count":
		h.count = value
	default:
		le, err := bucketBound(labels)
		if err != nil {
			return err
		}
		h.buckets[le] = value
	}
	return nil
}

// bucketBound reads a bucket line's le label.
func bucketBound(labels map[string]string) (float64, error) {
	le, err := strconv.ParseFloat(labels["le"], 64)
	if err != nil || math.IsNaN(le) {
		return 0, fmt.Errorf("bucket bound le=%q is not a number", labels["le"])
	}
	return le, nil
}

// splitSample reads `k="v",...} value [timestamp]`: what follows a sample's
// name and its opening brace.
func splitSample(s string) (map[string]string, float64, error) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ,")
		if rest, ok := strings.CutPrefix(s, "}"); ok {
			s = rest
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, 0, errors.New("malformed labels")
		}
		name := strings.TrimSpace(s[:eq])
		val, rest, err := unquoteLabel(s[eq+2:])
		if err != nil {
			return nil, 0, fmt.Errorf("label %s: %w", name, err)
		}
		labels[name] = val
		s = rest
	}
	fields := strings.Fields(s)
	if len(fields) == 0 || len(fields) > 2 {
		return nil, 0, errors.New("want a value (and a timestamp) after the labels")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return nil, 0, fmt.Errorf("value %q is not a count", fields[0])
	}
	return labels, v, nil
}

// unquoteLabel reads a label value up to its closing quote; the exposition
// format escapes only backslash, quote and newline.
func unquoteLabel(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("unterminated escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated value")
}

// serverSideOf compares two scrapes, taken before and after measuring.
func serverSideOf(before, after benchMetrics) benchServerSide {
	inf := math.Inf(1)
	total := after.screenings[inf] - before.screenings[inf]
	if total <= 0 {
		return benchServerSide{Unavailable: "the server's histogram counted no screenings while measuring"}
	}
	s := benchServerSide{Answers: int(total)}
	for _, le := range finiteBounds(after.screenings) {
		share := (after.screenings[le] - before.screenings[le]) / total
		s.Within = append(s.Within, benchWithin{MS: le * 1000, Share: math.Round(share*1e4) / 1e4})
		if s.P99AtMostMS == 0 && share >= 0.99 {
			s.P99AtMostMS = le * 1000
		}
	}
	s.Stages = stepsOf(before.stages, after.stages)
	slices.SortStableFunc(s.Stages, func(a, b benchStep) int { return stageRank(a.Name) - stageRank(b.Name) })
	s.Checks = stepsOf(before.checks, after.checks)
	// The costliest check first: that is the one a slow run is asked about.
	slices.SortStableFunc(s.Checks, func(a, b benchStep) int { return cmp.Compare(b.MeanMS, a.MeanMS) })
	return s
}

// finiteBounds are a histogram's bucket bounds but +Inf, in order.
func finiteBounds(buckets map[float64]float64) []float64 {
	bounds := make([]float64, 0, len(buckets))
	for le := range buckets {
		if !math.IsInf(le, 1) {
			bounds = append(bounds, le)
		}
	}
	slices.Sort(bounds)
	return bounds
}

// stepsOf compares the step histograms of two scrapes: each series that
// counted something meanwhile, by name.
func stepsOf(before, after map[string]*stepHistogram) []benchStep {
	var out []benchStep
	for name, a := range after {
		b := before[name]
		if b == nil {
			b = &stepHistogram{}
		}
		n := a.count - b.count
		mean := (a.sum - b.sum) / n * 1e3
		if n <= 0 || mean < 0 || math.IsInf(mean, 0) {
			continue // nothing counted meanwhile, or the server restarted between the scrapes
		}
		st := benchStep{Name: name, Count: int(n), MeanMS: math.Round(mean*1e3) / 1e3}
		for _, le := range finiteBounds(a.buckets) {
			if (a.buckets[le]-b.buckets[le])/n >= 0.99 {
				st.P99AtMostMS = le * 1000
				break
			}
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(x, y benchStep) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// stageRank is a stage's place in stageOrder; unknown ones come last.
func stageRank(name string) int {
	if i := slices.Index(stageOrder, name); i >= 0 {
		return i
	}
	return len(stageOrder)
}

// line is the summary's one-line form of the server side.
func (s benchServerSide) line() string {
	if s.Unavailable != "" {
		return "not available: " + s.Unavailable
	}
	var parts []string
	for _, w := range s.Within {
		if w.MS >= 2 && w.MS <= 100 {
			parts = append(parts, fmt.Sprintf("%g ms %.1f%%", w.MS, 100*w.Share))
		}
	}
	p99 := "p99 beyond the histogram's last bound"
	if s.P99AtMostMS > 0 {
		p99 = fmt.Sprintf("p99 <= %g ms", s.P99AtMostMS)
	}
	return fmt.Sprintf("%s; within %s (%d answers timed by the server)", p99, strings.Join(parts, ", "), s.Answers)
}

// stepsLine is the summary's one-line form of stages or checks.
func stepsLine(steps []benchStep) string {
	parts := make([]string, len(steps))
	for i, st := range steps {
		p99 := "p99 beyond the last bound"
		if st.P99AtMostMS > 0 {
			p99 = fmt.Sprintf("p99 <= %g ms", st.P99AtMostMS)
		}
		parts[i] = fmt.Sprintf("%s mean %.3f ms, %s", st.Name, st.MeanMS, p99)
	}
	return strings.Join(parts, "; ")
}
