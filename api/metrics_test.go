package api

import (
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// TestMetricsExposition scrapes /metrics after real traffic and the reports
// other parts make (website checks, cache lookups, list ages, store errors),
// and checks every series the operations dashboard relies on.
func TestMetricsExposition(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	sales := env.key(screening.RoleSales)
	if resp := env.do("POST", "/v1/screenings", sales, heldInquiry("M-1", "review"), nil); resp.StatusCode != 201 {
		t.Fatalf("screen: %d", resp.StatusCode)
	}
	if resp := env.do("POST", "/v1/screenings:batch", sales, map[string]any{"inquiries": []any{designInquiry("M-2")}}, nil); resp.StatusCode != 200 {
		t.Fatalf("batch: %d", resp.StatusCode)
	}
	m := env.server.Metrics()
	m.ObserveWebsite("ok")
	m.ObserveWebsite("unreachable")
	m.ObserveWebsite("unreachable")
	m.ObserveCache("website", true)
	m.ObserveCache("website", false)
	m.ObserveCache("website", true)
	m.ObserveStoreError("ping")
	m.ObserveRescreen(screening.RescreenReport{Counterparties: 40, Cases: 1}, errors.New("store down"), time.Now())
	m.ObserveRescreen(screening.RescreenReport{Counterparties: 563, Cases: 3, Known: 11}, nil, time.Unix(1795000000, 0))
	imported := time.Now().Add(-90 * time.Minute)
	m.SetListImports(func() map[string]time.Time { return map[string]time.Time{"meti_eul": imported} })

	resp, err := http.Get(env.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	text := string(raw)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`hikiai_http_request_duration_seconds_bucket{method="POST",route="/v1/screenings",status="201",le="0.005"}`,
		`hikiai_http_request_duration_seconds_count{method="POST",route="/v1/screenings:batch",status="200"} 1`,
		`hikiai_screenings_total{action="review"} 1`,
		`hikiai_flags_total{code="test_hold"} 1`,
		`hikiai_website_checks_total{outcome="ok"} 1`,
		`hikiai_website_checks_total{outcome="unreachable"} 2`,
		`hikiai_cache_lookups_total{cache="website",result="hit"} 2`,
		`hikiai_cache_lookups_total{cache="website",result="miss"} 1`,
		`hikiai_store_errors_total{op="ping"} 1`,
		`hikiai_rescreens_total{status="failed"} 1`,
		`hikiai_rescreens_total{status="done"} 1`,
		`hikiai_rescreen_success_timestamp_seconds 1.795e+09`,
		`hikiai_rescreen_counterparties_total 603`,
		`hikiai_rescreen_cases_total 4`,
		`# TYPE hikiai_list_age_seconds gauge`,
		// Both screenings went through the engine's stages; only the single
		// POST through the HTTP layer's.
		`hikiai_screening_stage_seconds_count{stage="history"} 2`,
		`hikiai_screening_stage_seconds_count{stage="checks"} 2`,
		`hikiai_screening_stage_seconds_count{stage="save"} 2`,
		`hikiai_screening_stage_seconds_count{stage="decode"} 1`,
		`hikiai_screening_stage_seconds_count{stage="answer"} 1`,
		`hikiai_check_seconds_count{check="test_hold"} 2`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The batch's inquiry counts as a screening too (DESIGN example: no hold).
	if !regexp.MustCompile(`hikiai_screenings_total\{action="(proceed|review|block)"\} `).MatchString(text) {
		t.Error("no screening counted by action")
	}
	age := regexp.MustCompile(`hikiai_list_age_seconds\{source="meti_eul"\} (\S+)`).FindStringSubmatch(text)
	if age == nil {
		t.Fatal("no list age for meti_eul")
	}
	if secs, err := strconv.ParseFloat(age[1], 64); err != nil || secs < 5399 || secs > 5500 {
		t.Errorf("list age %s, want about 5400 s", age[1])
	}
}
