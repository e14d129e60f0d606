package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/phone"
	"github.com/hikiai/hikiai/screening/redisstore"
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
	if addr := os.Getenv("HIKIAI_TEST_REDIS_ADDR"); addr != "" {
		backends = append(backends, struct {
			name string
			open func(t *testing.T) screening.Store
		}{"redis", func(t *testing.T) screening.Store { return scenarioRedis(t, addr) }})
	} else if os.Getenv("CI") == "true" {
		t.Fatal("HIKIAI_TEST_REDIS_ADDR is not set under CI: the scenarios must also run over Redis")
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

// scenarioRedis opens a Redis store on its own key prefix and deletes its keys
// after the test.
func scenarioRedis(t *testing.T, addr string) screening.Store {
	t.Helper()
	prefix := fmt.Sprintf("apiscenario:%d:%d:", os.Getpid(), time.Now().UnixNano())
	c := redis.NewClient(&redis.Options{Addr: addr})
	st := redisstore.New(c, redisstore.Options{Prefix: prefix})
	t.Cleanup(func() {
		_ = st.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Unlink(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return st
}
