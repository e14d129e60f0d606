package screening_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

// funcCheck is a check made of a function; wait makes it a Waiter.
type funcCheck struct {
	code string
	wait bool
	run  func(ctx context.Context) ([]screening.Flag, error)
}

func (c *funcCheck) Code() string  { return c.code }
func (c *funcCheck) MayWait() bool { return c.wait }
func (c *funcCheck) Run(ctx context.Context, _ *screening.Input) ([]screening.Flag, error) {
	return c.run(ctx)
}

// TestEvaluateRunsEveryCheck: checks that only compute run on the caller's
// goroutine and checks that may wait run beside them; a panic in either kind
// holds the inquiry for review with the reason, and the other flags count.
func TestEvaluateRunsEveryCheck(t *testing.T) {
	flag := func(code string, points int) []screening.Flag {
		return []screening.Flag{{Code: code, Points: points, Severity: "medium"}}
	}
	computed := make(chan struct{})
	tests := []struct {
		name       string
		checks     []screening.Check
		wantScore  int
		wantReason string
		wantAction screening.Action
	}{
		{
			name: "a waiting check runs while the others compute",
			checks: []screening.Check{
				&funcCheck{code: "waits", wait: true, run: func(ctx context.Context) ([]screening.Flag, error) {
					select { // it gets its answer from a check that runs after it in the list
					case <-computed:
						return flag("waits", 20), nil
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}},
				&funcCheck{code: "computes", run: func(context.Context) ([]screening.Flag, error) {
					close(computed)
					return flag("computes", 15), nil
				}},
			},
			wantScore: 35, wantAction: screening.ActionReview,
		},
		{
			name: "a computing check panics",
			checks: []screening.Check{
				&funcCheck{code: "panics", run: func(context.Context) ([]screening.Flag, error) { panic("boom") }},
				&funcCheck{code: "computes", run: func(context.Context) ([]screening.Flag, error) { return flag("computes", 10), nil }},
			},
			wantScore: 10, wantReason: "panics: ", wantAction: screening.ActionReview,
		},
		{
			name: "a waiting check panics",
			checks: []screening.Check{
				&funcCheck{code: "waits", wait: true, run: func(context.Context) ([]screening.Flag, error) { panic("boom") }},
			},
			wantReason: "waits: ", wantAction: screening.ActionReview,
		},
		{
			name: "a waiting check fails",
			checks: []screening.Check{
				&funcCheck{code: "waits", wait: true, run: func(context.Context) ([]screening.Flag, error) {
					return nil, &screening.Degraded{Reason: "site unreachable"}
				}},
			},
			wantReason: "waits: site unreachable", wantAction: screening.ActionReview,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			s := defaultSettings(t)
			s.Scoring.CheckTimeout = 5 * time.Second
			e := &screening.Engine{Store: st, Settings: s, Checks: tt.checks, Now: time.Now, Log: slog.New(slog.DiscardHandler)}
			got, _, err := e.Screen(context.Background(), screening.ScreenRequest{KeyID: "key_1", Inquiry: screening.Inquiry{
				Customer: screening.Party{Name: "Osaka Clean Tools K.K.", Country: "JP"}, Items: []screening.Item{{Product: "MC-1", Quantity: 1}}}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Score != tt.wantScore || got.Action != tt.wantAction {
				t.Errorf("score %d, action %s; want %d, %s (%+v)", got.Score, got.Action, tt.wantScore, tt.wantAction, got.Result)
			}
			switch {
			case tt.wantReason == "" && len(got.Reasons) > 0:
				t.Errorf("reasons %q, want none", got.Reasons)
			case tt.wantReason != "" && (len(got.Reasons) != 1 || !strings.HasPrefix(got.Reasons[0], tt.wantReason)):
				t.Errorf("reasons %q, want one starting %q", got.Reasons, tt.wantReason)
			}
		})
	}
}

// stageRecorder keeps what Timings hears.
type stageRecorder struct {
	mu     sync.Mutex
	stages map[screening.Stage][]time.Duration
	checks map[string][]time.Duration
}

func (r *stageRecorder) ObserveStage(stage screening.Stage, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages[stage] = append(r.stages[stage], d)
}

func (r *stageRecorder) ObserveCheck(code string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks[code] = append(r.checks[code], d)
}

// TestTimingsHearEveryStage: a new screening is timed in each stage and
// each check, a slow check's time shows in its own figure and in the checks
// stage, and an idempotent repeat is timed in the history stage alone (it
// runs no check and saves nothing).
func TestTimingsHearEveryStage(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const slow = 30 * time.Millisecond
	rec := &stageRecorder{stages: map[screening.Stage][]time.Duration{}, checks: map[string][]time.Duration{}}
	e := &screening.Engine{Store: st, Settings: defaultSettings(t), Now: time.Now, Log: slog.New(slog.DiscardHandler), Timings: rec,
		Checks: []screening.Check{
			&funcCheck{code: "slow", run: func(context.Context) ([]screening.Flag, error) { time.Sleep(slow); return nil, nil }},
			&funcCheck{code: "waits", wait: true, run: func(context.Context) ([]screening.Flag, error) { return nil, nil }},
		}}
	req := screening.ScreenRequest{KeyID: "key_1", Inquiry: screening.Inquiry{Reference: "T-1",
		Customer: screening.Party{Name: "Osaka Clean Tools K.K.", Country: "JP"}, Items: []screening.Item{{Product: "MC-1", Quantity: 1}}}}
	for i, wantCreated := range []bool{true, false} {
		if _, created, err := e.Screen(context.Background(), req); err != nil || created != wantCreated {
			t.Fatalf("screen %d: created %v, err %v; want created %v", i, created, err, wantCreated)
		}
	}
	want := map[screening.Stage]int{screening.StageHistory: 2, screening.StageChecks: 1, screening.StageSave: 1}
	for stage, n := range want {
		if len(rec.stages[stage]) != n {
			t.Errorf("stage %s timed %d times, want %d", stage, len(rec.stages[stage]), n)
		}
	}
	if len(rec.stages) != len(want) {
		t.Errorf("stages %v, want only %v", rec.stages, want)
	}
	if len(rec.checks["slow"]) != 1 || len(rec.checks["waits"]) != 1 || len(rec.checks) != 2 {
		t.Fatalf("checks timed %v, want slow and waits once each", rec.checks)
	}
	if d := rec.checks["slow"][0]; d < slow {
		t.Errorf("the slow check was timed %v, want at least %v", d, slow)
	}
	if d := rec.stages[screening.StageChecks][0]; d < slow {
		t.Errorf("the checks stage was timed %v, want at least the slow check's %v", d, slow)
	}
}
