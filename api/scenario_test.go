package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/phone"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/hikiai/hikiai/screening/screeningtest"
)

// TestScenariosOverHTTP runs every file of testdata/scenarios through
// POST /v1/screenings, as an ERP or a sales page would send it (the step's
// JSON body, the step's key role), on the embedded store and on Redis, and
// checks the flags and action of each answer. screening's TestScenarios runs
// the same files through the engine directly; this one adds decoding,
// validation, auth, idempotency and the JSON answer.
func TestScenariosOverHTTP(t *testing.T) {
	root, err := screeningtest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	scs, err := screeningtest.LoadScenarios(filepath.Join(root, "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) < 25 {
		t.Errorf("%d scenarios, want at least 25", len(scs))
	}
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	backends := []struct {
		name string
		open func(t *testing.T) screening.Store
	}{{"bolt", func(t *testing.T) screening.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}}}
	if addr, ok := redistest.Available(t); ok {
		backends = append(backends, struct {
			name string
			open func(t *testing.T) screening.Store
		}{"redis", func(t *testing.T) screening.Store { return redistest.Store(t, addr) }})
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, sc := range scs {
				t.Run(sc.Name, func(t *testing.T) {
					t.Parallel()
					runScenarioHTTP(t, b.open(t), settings, sc)
				})
			}
		})
	}
}

func runScenarioHTTP(t *testing.T, st screening.Store, settings *screening.Settings, sc *screeningtest.Scenario) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &screening.Engine{Store: st, Settings: settings, Now: clock, Log: log,
		Checks: screening.DefaultChecks(settings, screening.CheckDeps{NormalizePhone: phone.E164})}
	h := New(Options{Engine: eng, Store: st, Log: log, Now: clock}).Handler()
	adm := &LocalAdmin{Store: st, Now: clock, Actor: "test"}
	keys := map[string]string{}
	for i, step := range sc.Steps {
		role := step.Key
		if role == "" {
			role = screening.RoleERP
		}
		if keys[role] == "" {
			secret, _, err := adm.CreateKey(context.Background(), role, "scenario "+role)
			if err != nil {
				t.Fatal(err)
			}
			keys[role] = secret
		}
		mu.Lock()
		now = step.Inquiry.ReceivedAt.Add(time.Minute)
		mu.Unlock()
		req := httptest.NewRequest(http.MethodPost, "/v1/screenings", bytes.NewReader(step.Body))
		req.Header.Set("Authorization", "Bearer "+keys[role])
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated && w.Code != http.StatusOK {
			t.Fatalf("step %d (%s): status %d: %s", i, step.Name, w.Code, w.Body.String())
		}
		var res struct {
			ID     string           `json:"id"`
			Action screening.Action `json:"action"`
			Flags  []screening.Flag `json:"flags"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatalf("step %d (%s): answer %s: %v", i, step.Name, w.Body.String(), err)
		}
		if res.ID == "" {
			t.Errorf("step %d (%s): answer without id", i, step.Name)
		}
		for _, p := range step.Verify(res.Flags, res.Action) {
			t.Errorf("step %d (%s): %s", i, step.Name, p)
		}
		if t.Failed() {
			for _, f := range res.Flags {
				t.Logf("step %d flag %s (%d): %s", i, f.Code, f.Points, f.Message)
			}
			return
		}
	}
}
