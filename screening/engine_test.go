package screening_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
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
