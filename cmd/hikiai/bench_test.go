package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/screeningtest"
	"github.com/hikiai/hikiai/sources/csl"
)

// Every inquiry of the mix must pass validation: a bench that measures 400s
// measures nothing.
func TestBenchMixInquiriesAreValid(t *testing.T) {
	m := newBenchMix("t", 7, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m.setSite("http://127.0.0.1:9", "http://localhost:9")
	seen := map[string]int{}
	for i := range 5000 {
		inq, scenario := m.inquiry(i)
		seen[scenario]++
		if err := inq.Validate(); err != nil {
			t.Fatalf("inquiry %d (%s) is invalid: %v", i, scenario, err)
		}
		again, _ := m.inquiry(i)
		a, _ := json.Marshal(inq)
		again.Validate()
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatalf("inquiry %d differs between two calls", i)
		}
	}
	for _, s := range benchScenarios {
		if share := float64(seen[s.name]) / 5000 * 100; share < float64(s.weight)/2 || share > float64(s.weight)*2 {
			t.Errorf("scenario %s is %.1f%% of the mix, want about %d%%", s.name, share, s.weight)
		}
	}
	var ja, latin int
	for _, c := range m.pool {
		if c.Country == "JP" {
			ja++
		} else {
			latin++
		}
	}
	if ja < 100 || latin < 100 {
		t.Errorf("pool has %d Japanese and %d Latin-script companies; want both", ja, latin)
	}
}

// The portal page names every portal customer within the page text the
// website check reads (64 KB).
func TestBenchSiteListsPortalCustomers(t *testing.T) {
	m := newBenchMix("t", 1, time.Now())
	names := m.portalNames()
	if len(names) != portalCompanies {
		t.Fatalf("%d portal names, want %d", len(names), portalCompanies)
	}
	site, err := startBenchSite(names)
	if err != nil {
		t.Fatal(err)
	}
	defer site.close()
	if len(site.page) > 60<<10 {
		t.Errorf("portal page is %d bytes; the website check reads 64 KB of text", len(site.page))
	}
	resp, err := http.Get(site.url + "/c/3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, n := range names[:5] {
		if !strings.Contains(string(body), n) {
			t.Errorf("portal page lacks %q", n)
		}
	}
	req, _ := http.NewRequest("GET", site.parkedURL()+"/", nil)
	req.Host = strings.TrimPrefix(site.parkedURL(), "http://")
	req.URL.Host = strings.TrimPrefix(site.url, "http://") // reach 127.0.0.1 without resolving localhost
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(strings.ToLower(string(body)), "this domain is for sale") {
		t.Errorf("parked page: %q", body)
	}
	if site.hits.Load() != 2 {
		t.Errorf("site counted %d fetches, want 2", site.hits.Load())
	}
}

func TestLatencyPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latencyOf(ds)
	want := benchLatency{P50: 50, P95: 95, P99: 99, Max: 100, Mean: 50.5}
	if got != want {
		t.Errorf("latencyOf(1..100 ms) = %+v, want %+v", got, want)
	}
	if (latencyOf(nil) != benchLatency{}) {
		t.Error("latencyOf(nil) is not zero")
	}
}

func TestIntervalsSplitAnswersByWhenTheyCame(t *testing.T) {
	rec := newBenchRecorder()
	// 0-10 s: answers of 1..4 ms; 10-20 s: nothing; 20-30 s: two slow answers,
	// recorded first (workers merge in any order).
	rec.latencies = append(rec.latencies, 200*time.Millisecond, 100*time.Millisecond)
	rec.doneAt = append(rec.doneAt, 25*time.Second, 21*time.Second)
	for i := 1; i <= 4; i++ {
		rec.latencies = append(rec.latencies, time.Duration(i)*time.Millisecond)
		rec.doneAt = append(rec.doneAt, time.Duration(i)*time.Second)
	}

	got := intervalsOf(rec, 10*time.Second)
	if len(got) != 3 {
		t.Fatalf("%d windows, want 3: %+v", len(got), got)
	}
	want := []struct {
		from, to     float64
		answers      int
		perS, p50, m float64
	}{{0, 10, 4, 0.4, 2, 4}, {10, 20, 0, 0, 0, 0}, {20, 30, 2, 0.2, 100, 200}}
	for i, w := range want {
		g := got[i]
		if g.FromS != w.from || g.ToS != w.to || g.Answers != w.answers || g.Throughput != w.perS || g.Latency.P50 != w.p50 || g.Latency.Max != w.m {
			t.Errorf("window %d = %+v, want %+v", i, g, w)
		}
	}
	if intervalsOf(rec, 0) != nil {
		t.Error("--interval 0 gives windows")
	}
	// The summary's own percentiles see every answer, and computing them
	// leaves the windows as they were.
	var sum benchSummary
	sum.fill(rec, 30*time.Second)
	if sum.Latency.Max != 200 || sum.Requests != 6 {
		t.Errorf("summary: %+v", sum.Latency)
	}
	if again := intervalsOf(rec, 10*time.Second); again[2].Latency.Max != 200 || again[0].Latency.Max != 4 {
		t.Errorf("windows after the summary: %+v", again)
	}
}

// gen-list writes a CSL file the CSL parser reads back whole: base rows and
// synthetic ones, each synthetic entry with its own key.
func TestGenListParses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "syn.csv")
	base := filepath.Join(t.TempDir(), "base.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(cslHeader)
	row := make([]string, len(cslHeader))
	row[0], row[1], row[3], row[5] = "1", "Entity List (EL) - Bureau of Industry and Security", "Entity", "Real Base Entity Ltd"
	w.Write(row)
	w.Flush()
	if err := os.WriteFile(base, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := genListCmd([]string{"--n", "2000", "--out", out, "--base", base, "--seed", "3"}, &stdout); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := csl.ParseCSV(context.Background(), f, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2001 {
		t.Fatalf("parsed %d entries, want 2001", len(entries))
	}
	persons, syn := 0, 0
	keys := map[string]bool{}
	for _, e := range entries {
		keys[e.Key()] = true
		if strings.Contains(e.Key(), "SYN") {
			syn++
		}
		if e.Kind == screening.KindPerson {
			persons++
		}
	}
	if syn != 2000 || len(keys) != 2001 {
		t.Errorf("%d synthetic entries, %d distinct keys; want 2000 and 2001", syn, len(keys))
	}
	if persons < 600 || persons > 1200 {
		t.Errorf("%d persons of 2000; want about 45%%", persons)
	}
	// The same seed writes the same file.
	again := filepath.Join(t.TempDir(), "again.csv")
	if err := genListCmd([]string{"--n", "2000", "--out", again, "--base", base, "--seed", "3"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(out)
	y, _ := os.ReadFile(again)
	if !bytes.Equal(x, y) {
		t.Error("gen-list with one seed wrote two different files")
	}
}

// BenchmarkServeMix screens the bench's mix through the real service (every
// check, the embedded store, all sample lists) in one process, so that a CPU
// profile shows where a screening's time goes:
//
//	go test -run XXX -bench BenchmarkServeMix -benchtime 3000x -cpuprofile cpu.out ./cmd/hikiai/
//	go tool pprof -top -cum cmd/hikiai/hikiai.test cpu.out
//
// HIKIAI_BENCH_DATA_DIR reuses a data folder with the lists already imported
// (importing them all takes about 15 s).
func BenchmarkServeMix(b *testing.B) {
	dir := os.Getenv("HIKIAI_BENCH_DATA_DIR")
	fresh := dir == ""
	if fresh {
		dir = b.TempDir()
	}
	cfg, err := LoadConfig(func(k string) string {
		switch k {
		case "HIKIAI_DATA_DIR":
			return dir
		case "HIKIAI_FETCH_ALLOW_PRIVATE":
			return "true"
		case "HIKIAI_RATE_LIMIT":
			return "1000000" // counted, as in the bench runs, but never reached
		}
		return ""
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	be, err := openBackend(ctx, cfg, log, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer be.close()
	adm := &api.LocalAdmin{Store: be.store, Now: time.Now, Actor: "bench"}
	if fresh {
		for _, files := range benchListFiles(b) {
			if _, err := adm.ImportLists(ctx, "", files); err != nil {
				b.Fatal(err)
			}
		}
	}
	settings, err := rules.Load("")
	if err != nil {
		b.Fatal(err)
	}
	svc, err := buildService(ctx, cfg, log, settings, be)
	if err != nil {
		b.Fatal(err)
	}
	defer svc.shutdown()
	hs := httptest.NewServer(svc.api.Handler())
	defer hs.Close()
	secret, _, err := adm.CreateKey(ctx, screening.RoleERP, "bench")
	if err != nil {
		b.Fatal(err)
	}
	m := newBenchMix("go-bench-"+time.Now().Format("150405.000"), 1, time.Now().Add(-24*time.Hour))
	site, err := startBenchSite(m.portalNames())
	if err != nil {
		b.Fatal(err)
	}
	defer site.close()
	m.setSite(site.url, site.parkedURL())
	c := &benchClient{http: hs.Client(), endpoint: hs.URL + "/v1/screenings", key: secret, mix: m}
	warm := c.drive(ctx, 0, 300, time.Minute, 8, 0, true)
	if warm.statuses["201"] == 0 {
		b.Fatalf("warm-up: %v %v", warm.statuses, warm.errors)
	}
	var next atomic.Int64
	next.Store(300)
	b.ResetTimer()
	rec := newBenchRecorder()
	var recMu sync.Mutex
	b.SetParallelism(16) // 32 requests in flight on 2 cores, like the bench runs
	b.RunParallel(func(pb *testing.PB) {
		r := newBenchRecorder()
		for pb.Next() {
			c.one(ctx, int(next.Add(1)), time.Now(), r, false)
		}
		// b's timer is not for parallel bodies; merging takes microseconds.
		recMu.Lock()
		rec.merge(r)
		recMu.Unlock()
	})
	b.StopTimer()
	l := latencyOf(rec.latencies)
	b.ReportMetric(l.P50, "p50-ms")
	b.ReportMetric(l.P99, "p99-ms")
	if bad := len(rec.latencies) - rec.statuses["201"]; bad > 0 {
		b.Errorf("%d screenings did not answer 201: %v %v", bad, rec.statuses, rec.errors)
	}
}

// benchListFiles are the public sample lists, one import each (OFAC as a folder).
func benchListFiles(tb testing.TB) [][]string {
	base := screeningtest.SharedData(tb, "lists")
	var out [][]string
	for _, p := range []string{"meti_eul/20250929_4.xlsx", "jp_mof/mof_shisantouketsu_20260305.xlsx", "us_csl_2022/consolidated.csv",
		"ofac_sdn_2021", "ofac_cons", "bis_dpl/dpl.txt", "un_sc/UN_consolidated_2026-02-27.xml",
		"eu_fsf/eu_fsf_xml_1_1_single_entity.xml", "uk_fcdo/UK-Sanctions-List_trimmed_2026-09-02.xml"} {
		out = append(out, []string{filepath.Join(base, p)})
	}
	return out
}

func TestBenchFlagsRejectBadValues(t *testing.T) {
	for _, args := range [][]string{
		{},                                    // no key
		{"--key", "k", "--server", "ftp://x"}, // not http
		{"--key", "k", "--concurrency", "0"},
		{"--key", "k", "--rate", "-1"},
		{"--key", "k", "--interval", "-1s"},
		{"--key", "k", "--duration", "0s"},
		{"--key", "k", "extra"},
	} {
		if _, err := parseBenchFlags(args); err == nil {
			t.Errorf("parseBenchFlags(%q) accepted", args)
		}
	}
	o, err := parseBenchFlags([]string{"--key", "k", "--interval", "10s", "--server", "http://127.0.0.1:9/"})
	if err != nil || o.interval != 10*time.Second || o.server != "http://127.0.0.1:9" {
		t.Errorf("parseBenchFlags(valid) = %+v, %v", o, err)
	}
}

// An open-loop run at the aimed rate ends a little after its last planned
// send, so its answers over elapsed time fall just short of the rate; the
// verdict must judge such a run by its schedule, and still refuse one that
// lagged, lost answers or was offered less.
func TestBenchSustained(t *testing.T) {
	tests := []struct {
		name                string
		rate, seconds, tput float64
		requests, ok        int
		want                bool
	}{
		{"closed loop above the aim", 0, 12, 2500, 30000, 30000, true},
		{"closed loop below the aim", 0, 40, 750, 30000, 30000, false},
		{"open loop, last answer 2 ms after the schedule", 1000, 30.002, 999.93, 30000, 30000, true},
		{"open loop that ended 5 s late", 1000, 35, 857, 30000, 30000, false},
		{"open loop with a failed answer", 1000, 30.002, 999.9, 30000, 29999, false},
		{"open loop offered less than the aim", 900, 33.3, 900, 30000, 30000, false},
		{"nothing sent", 1000, 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := benchSummary{Rate: tt.rate, Seconds: tt.seconds, Throughput: tt.tput, Requests: tt.requests, OK: tt.ok}
			if got := s.sustained(1000); got != tt.want {
				t.Errorf("sustained = %v, want %v", got, tt.want)
			}
		})
	}
}
