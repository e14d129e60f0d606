package main

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// metricsSample is a piece of a real /metrics page: two statuses of the
// screening route, one of another route, one error, and lines to skip.
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
go_goroutines 12
`

func TestParseScreeningBuckets(t *testing.T) {
	got, err := parseScreeningBuckets(strings.NewReader(metricsSample))
	if err != nil {
		t.Fatal(err)
	}
	want := screeningBuckets{0.01: 100, 0.02: 107, math.Inf(1): 110}
	if len(got) != len(want) {
		t.Fatalf("buckets %v, want %v", got, want)
	}
	for le, n := range want {
		if got[le] != n {
			t.Errorf("le=%g: %g, want %g (2xx of POST /v1/screenings only)", le, got[le], n)
		}
	}

	for _, tc := range []struct{ name, line, wantErr string }{
		{"bound not a number", `{method="POST",route="/v1/screenings",status="201",le="soon"} 3`, `le="soon"`},
		{"bound NaN", `{method="POST",route="/v1/screenings",status="201",le="NaN"} 3`, `le="NaN"`},
		{"no value", `{method="POST",route="/v1/screenings",status="201",le="0.01"}`, "want a value"},
		{"negative count", `{method="POST",route="/v1/screenings",status="201",le="0.01"} -1`, "not a count"},
		{"unterminated label", `{method="POST,route="/v1/screenings"} 3`, "malformed labels"},
		{"open value", `{method="POST`, "unterminated value"},
		{"bad escape", `{method="P\qOST"} 3`, `unknown escape \q`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseScreeningBuckets(strings.NewReader("go_goroutines 1\n" + requestDurationMetric + tc.line + "\n"))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("err = %v, want one naming line 2 and %q", err, tc.wantErr)
			}
		})
	}

	// Escapes are read as the exposition format writes them: a route with a
	// quote in it is another route, not the screening one.
	odd := requestDurationMetric + `{method="POST",route="/v1/screenings\"x\\",status="201",le="+Inf"} 4` + "\n"
	if b, err := parseScreeningBuckets(strings.NewReader(odd)); err != nil || len(b) != 0 {
		t.Errorf("escaped route: %v, %v; want no buckets", b, err)
	}
}

func TestServerSideOf(t *testing.T) {
	inf := math.Inf(1)
	before := screeningBuckets{0.005: 50, 0.01: 60, 0.02: 60, inf: 60}
	after := screeningBuckets{0.005: 850, 0.01: 1040, 0.02: 1055, inf: 1060}
	got := serverSideOf(before, after)
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

	slow := serverSideOf(screeningBuckets{}, screeningBuckets{0.02: 50, inf: 100})
	if slow.P99AtMostMS != 0 || !strings.Contains(slow.line(), "beyond the histogram's last bound") {
		t.Errorf("half over 20 ms: %+v %q", slow, slow.line())
	}
	if none := serverSideOf(after, after); none.Unavailable == "" || none.Answers != 0 {
		t.Errorf("no screenings between the scrapes: %+v", none)
	}
}

func FuzzParseScreeningBuckets(f *testing.F) {
	f.Add(metricsSample)
	f.Add(requestDurationMetric + `{le="1e-3",method="POST",route="/v1/screenings",status="201"} 1e3 1700000000000`)
	f.Add(requestDurationMetric + `{method="POST",route="/v1/screenings",status="2",le="+Inf"} 3`)
	f.Fuzz(func(t *testing.T, page string) {
		b, err := parseScreeningBuckets(strings.NewReader(page))
		if err != nil {
			return
		}
		for le, n := range b {
			if math.IsNaN(le) || math.IsNaN(n) || n < 0 {
				t.Fatalf("bucket le=%g count %g from %q", le, n, page)
			}
		}
		s := serverSideOf(screeningBuckets{}, b)
		for _, w := range s.Within {
			if math.IsNaN(w.Share) {
				t.Fatalf("share NaN from %q", page)
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
	for _, want := range []string{"send lag:", "server-side: p99 <= ", "(150 answers timed by the server)", "bench CPU:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}
