package main

import (
	"context"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// metricsSample is a piece of a real /metrics page: two statuses of the
// screening route, one of another route, one error, a stage and a check
// histogram, and lines to skip.
const metricsSample = `# HELP hikiai_http_request_duration_seconds HTTP request latency by route, method and status.
# TYPE hikiai_http_request_duration_seconds histogram
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="201",le="0.01"} 90
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="201",le="0.02"} 97
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="201",le="+Inf"} 100
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="200",le="0.01"} 10
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="200",le="0.02"} 10
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="200",le="+Inf"} 10
hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="429",le="+Inf"} 7
hikiai_http_request_duration_seconds_bucket{method="GET",route="/v1/screenings/:id",status="200",le="+Inf"} 5
hikiai_http_request_duration_seconds_sum{method="POST",route="/v1/screenings",status="201"} 0.9
hikiai_http_request_duration_seconds_count{method="POST",route="/v1/screenings",status="201"} 100
hikiai_screening_stage_seconds_bucket{stage="save",le="0.001"} 60
hikiai_screening_stage_seconds_bucket{stage="save",le="0.002"} 99
hikiai_screening_stage_seconds_bucket{stage="save",le="+Inf"} 100
hikiai_screening_stage_seconds_sum{stage="save"} 0.12
hikiai_screening_stage_seconds_count{stage="save"} 100
hikiai_check_seconds_bucket{check="denied_party",le="0.001"} 100
hikiai_check_seconds_bucket{check="denied_party",le="+Inf"} 100
hikiai_check_seconds_sum{check="denied_party"} 0.03
hikiai_check_seconds_count{check="denied_party"} 100
go_goroutines 12
`

func TestParseBenchMetrics(t *testing.T) {
	m, err := parseBenchMetrics(strings.NewReader(metricsSample))
	if err != nil {
		t.Fatal(err)
	}
	got := m.screenings
	want := screeningBuckets{0.01: 100, 0.02: 107, math.Inf(1): 110}
	if len(got) != len(want) {
		t.Fatalf("buckets %v, want %v", got, want)
	}
	for le, n := range want {
		if got[le] != n {
			t.Errorf("le=%g: %g, want %g (2xx of POST /v1/screenings only)", le, got[le], n)
		}
	}
	save, dp := m.stages["save"], m.checks["denied_party"]
	if len(m.stages) != 1 || len(m.checks) != 1 || save == nil || dp == nil {
		t.Fatalf("stages %v, checks %v; want save and denied_party", m.stages, m.checks)
	}
	if save.count != 100 || save.sum != 0.12 || save.buckets[0.002] != 99 || len(save.buckets) != 3 || dp.buckets[0.001] != 100 {
		t.Errorf("save %+v, denied_party %+v", save, dp)
	}

	for _, tc := range []struct{ name, line, wantErr string }{
		{"bound not a number", `{method="POST",route="/v1/screenings",status="201",le="soon"} 3`, `le="soon"`},
		{"bound NaN", `{method="POST",route="/v1/screenings",status="201",le="NaN"} 3`, `le="NaN"`},
		{"no value", `{method="POST",route="/v1/screenings",status="201",le="0.01"}`, "want a value"},
		{"negative count", `{method="POST",route="/v1/screenings",status="201",le="0.01"} -1`, "not a count"},
		{"unterminated label", `{method="POST,route="/v1/screenings"} 3`, "malformed labels"},
		{"open value", `{method="POST`, "unterminated value"},
		{"bad escape", `{method="P\qOST"} 3`, `unknown escape \q`},
		{"stage without its label", "\n" + stageMetric + `_count{check="save"} 3`, "no stage label"},
		{"check bound not a number", "\n" + checkMetric + `_bucket{check="x",le="later"} 3`, `le="later"`},
		{"stage sum negative", "\n" + stageMetric + `_sum{stage="save"} -2`, "not a count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := "go_goroutines 1\n" + requestDurationMetric + tc.line + "\n"
			if strings.HasPrefix(tc.line, "\n") { // a step line: put it on line 2 too
				page = "go_goroutines 1" + tc.line + "\n"
			}
			_, err := parseBenchMetrics(strings.NewReader(page))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("err = %v, want one naming line 2 and %q", err, tc.wantErr)
			}
		})
	}

	// Escapes are read as the exposition format writes them: a route with a
	// quote in it is another route, not the screening one.
	odd := requestDurationMetric + `{method="POST",route="/v1/screenings\"x\\",status="201",le="+Inf"} 4` + "\n"
	if m, err := parseBenchMetrics(strings.NewReader(odd)); err != nil || len(m.screenings) != 0 {
		t.Errorf("escaped route: %v, %v; want no buckets", m.screenings, err)
	}
}

// screeningsOnly is a scrape of a server that times no stages.
func screeningsOnly(b screeningBuckets) benchMetrics { return benchMetrics{screenings: b} }

func TestServerSideOf(t *testing.T) {
	inf := math.Inf(1)
	before := screeningBuckets{0.005: 50, 0.01: 60, 0.02: 60, inf: 60}
	after := screeningBuckets{0.005: 850, 0.01: 1040, 0.02: 1055, inf: 1060}
	got := serverSideOf(screeningsOnly(before), screeningsOnly(after))
	if got.Answers != 1000 || got.Unavailable != "" {
		t.Fatalf("%+v", got)
	}
	want := []benchWithin{{MS: 5, Share: 0.8}, {MS: 10, Share: 0.98}, {MS: 20, Share: 0.995}}
	if len(got.Within) != len(want) {
		t.Fatalf("within %+v, want %+v", got.Within, want)
	}
	for i := range want {
		if got.Within[i] != want[i] {
			t.Errorf("within[%d] = %+v, want %+v", i, got.Within[i], want[i])
		}
	}
	if got.P99AtMostMS != 20 {
		t.Errorf("p99 at most %g ms, want 20 (98%% within 10 ms, 99.5%% within 20)", got.P99AtMostMS)
	}
	if l := got.line(); !strings.Contains(l, "p99 <= 20 ms") || !strings.Contains(l, "10 ms 98.0%") {
		t.Errorf("line %q", l)
	}

	if len(got.Stages)+len(got.Checks) != 0 {
		t.Errorf("stages %+v, checks %+v from a server that times none", got.Stages, got.Checks)
	}

	slow := serverSideOf(screeningsOnly(screeningBuckets{}), screeningsOnly(screeningBuckets{0.02: 50, inf: 100}))
	if slow.P99AtMostMS != 0 || !strings.Contains(slow.line(), "beyond the histogram's last bound") {
		t.Errorf("half over 20 ms: %+v %q", slow, slow.line())
	}
	if none := serverSideOf(screeningsOnly(after), screeningsOnly(after)); none.Unavailable == "" || none.Answers != 0 {
		t.Errorf("no screenings between the scrapes: %+v", none)
	}
}

// TestServerSideSteps: the stages and checks between two scrapes, the
// stages in a screening's order, the checks costliest first, and a series
// that counted nothing meanwhile left out.
func TestServerSideSteps(t *testing.T) {
	inf := math.Inf(1)
	step := func(sum, count float64, buckets map[float64]float64) *stepHistogram {
		return &stepHistogram{buckets: buckets, sum: sum, count: count}
	}
	before := benchMetrics{screenings: screeningBuckets{inf: 10},
		stages: map[string]*stepHistogram{
			"save":    step(1, 10, map[float64]float64{0.001: 10, 0.01: 10, inf: 10}),
			"history": step(0.5, 10, map[float64]float64{0.001: 10, 0.01: 10, inf: 10}),
		},
		checks: map[string]*stepHistogram{"idle": step(0.1, 10, map[float64]float64{0.001: 10, inf: 10})}}
	after := benchMetrics{screenings: screeningBuckets{inf: 110},
		stages: map[string]*stepHistogram{
			// 100 saves of 2 ms each on average, 2 of them over 1 ms: p99 <= 10 ms.
			"save": step(1.2, 110, map[float64]float64{0.001: 108, 0.01: 110, inf: 110}),
			// 100 of 1 ms on average, all within 1 ms.
			"history": step(0.6, 110, map[float64]float64{0.001: 110, 0.01: 110, inf: 110}),
			"decode":  step(0.01, 100, map[float64]float64{0.001: 100, 0.01: 100, inf: 100}),
			"replay":  step(0.01, 100, map[float64]float64{0.001: 100, 0.01: 100, inf: 100}),
		},
		checks: map[string]*stepHistogram{
			"idle":         step(0.1, 10, map[float64]float64{0.001: 10, inf: 10}),
			"cheap":        step(0.001, 100, map[float64]float64{0.001: 100, inf: 100}),
			"denied_party": step(0.05, 100, map[float64]float64{0.001: 50, inf: 100}),
		}}
	got := serverSideOf(before, after)
	wantStages := []benchStep{
		{Name: "decode", Count: 100, MeanMS: 0.1, P99AtMostMS: 1},
		{Name: "history", Count: 100, MeanMS: 1, P99AtMostMS: 1},
		{Name: "save", Count: 100, MeanMS: 2, P99AtMostMS: 10},
		{Name: "replay", Count: 100, MeanMS: 0.1, P99AtMostMS: 1},
	}
	if !slices.Equal(got.Stages, wantStages) {
		t.Errorf("stages\n%+v, want\n%+v", got.Stages, wantStages)
	}
	wantChecks := []benchStep{
		{Name: "denied_party", Count: 100, MeanMS: 0.5}, // half beyond 1 ms, the last bound
		{Name: "cheap", Count: 100, MeanMS: 0.01, P99AtMostMS: 1},
	}
	if !slices.Equal(got.Checks, wantChecks) {
		t.Errorf("checks\n%+v, want\n%+v", got.Checks, wantChecks)
	}
	var out strings.Builder
	(&benchSummary{ServerSide: got}).print(&out)
	for _, want := range []string{
		"  stages:   decode mean 0.100 ms, p99 <= 1 ms; history mean 1.000 ms",
		"  checks:   denied_party mean 0.500 ms, p99 beyond the last bound; cheap",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func FuzzParseBenchMetrics(f *testing.F) {
	f.Add(metricsSample)
	f.Add(requestDurationMetric + `{le="1e-3",method="POST",route="/v1/screenings",status="201"} 1e3 1700000000000`)
	f.Add(requestDurationMetric + `{method="POST",route="/v1/screenings",status="2",le="+Inf"} 3`)
	f.Add(stageMetric + `_count{stage="save"} 3` + "\n" + stageMetric + `_sum{stage="save"} 1e308`)
	f.Fuzz(func(t *testing.T, page string) {
		m, err := parseBenchMetrics(strings.NewReader(page))
		if err != nil {
			return
		}
		for le, n := range m.screenings {
			if math.IsNaN(le) || math.IsNaN(n) || n < 0 {
				t.Fatalf("bucket le=%g count %g from %q", le, n, page)
			}
		}
		s := serverSideOf(benchMetrics{}, m)
		for _, w := range s.Within {
			if math.IsNaN(w.Share) {
				t.Fatalf("share NaN from %q", page)
			}
		}
		for _, st := range append(stepsOf(nil, m.stages), stepsOf(nil, m.checks)...) {
			if st.Count <= 0 || math.IsNaN(st.MeanMS) || math.IsInf(st.MeanMS, 0) || st.MeanMS < 0 {
				t.Fatalf("step %+v from %q", st, page)
			}
		}
	})
}

// A bench run against a real server: the server-side figures count the same
// screenings the bench sent, the warm-up runs at the rate, and the bench's
// own share (send lag, CPU) is reported.
func TestBenchReportsServerSide(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	srv := faultStart(t, faultEnv(t))
	key := faultSetup(t, srv)
	o := &benchOptions{server: srv.url, key: key, count: 150, duration: time.Minute, concurrency: 8, rate: 300,
		warmup: 150, seed: 3, timeout: 10 * time.Second}
	began := time.Now()
	sum, err := runBench(context.Background(), o, io.Discard)
	took := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != 150 || sum.OK != 150 {
		t.Fatalf("requests %d, ok %d, statuses %v, errors %v", sum.Requests, sum.OK, sum.Statuses, sum.FirstErrors)
	}
	ss := sum.ServerSide
	if ss.Unavailable != "" || ss.Answers != 150 {
		t.Fatalf("server side %+v: want the 150 measured screenings (not the 150 of the warm-up)", ss)
	}
	last := 0.0
	for _, w := range ss.Within {
		if w.Share < last || w.Share > 1 {
			t.Errorf("shares not cumulative: %+v", ss.Within)
		}
		last = w.Share
	}
	if ss.P99AtMostMS <= 0 {
		t.Errorf("no p99 bound at 300/s: %+v", ss)
	}
	// Every screening went through each stage once, in this order.
	var stages []string
	for _, st := range ss.Stages {
		stages = append(stages, st.Name)
		if st.Count != 150 || st.MeanMS <= 0 {
			t.Errorf("stage %+v: want 150 timed", st)
		}
	}
	if want := []string{"decode", "history", "checks", "save", "answer"}; !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	if !slices.ContainsFunc(ss.Checks, func(st benchStep) bool { return st.Name == "denied_party" && st.Count == 150 }) {
		t.Errorf("checks %+v: want denied_party timed 150 times", ss.Checks)
	}
	if sum.SendLag == nil || sum.SendLag.Max < sum.SendLag.P50 || sum.SendLag.Max > sum.Latency.Max {
		t.Errorf("send lag %+v against latency %+v", sum.SendLag, sum.Latency)
	}
	if sum.ClientCPUSeconds <= 0 {
		t.Errorf("bench CPU not measured: %v", sum.ClientCPUSeconds)
	}
	// At 300/s the last of 150 is planned 0.497 s after the first: the run
	// takes that long at least, and so does a warm-up sent at the rate. A
	// closed-loop warm-up would take a fraction of it.
	if sum.Seconds < 0.49 || took < 2*490*time.Millisecond {
		t.Errorf("measured %.2f s, warm-up and run %v: the warm-up did not keep to --rate", sum.Seconds, took)
	}
	var out strings.Builder
	sum.print(&out)
	for _, want := range []string{"send lag:", "server-side: p99 <= ", "(150 answers timed by the server)", "  stages:   decode mean ", "  checks:   ", "bench CPU:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}
