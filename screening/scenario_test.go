package screening_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/phone"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/hikiai/hikiai/screening/screeningtest"
)

// storeFactory opens a fresh, empty store for one scenario.
type storeFactory struct {
	name string
	open func(t *testing.T) screening.Store
}

// storeFactories lists the backends the scenarios run against: bbolt always,
// Redis when HIKIAI_TEST_REDIS_ADDR is set (and under CI it must be).
func storeFactories(t *testing.T) []storeFactory {
	fs := []storeFactory{{"bolt", func(t *testing.T) screening.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), boltstore.Options{})
		if err != nil {
			t.Fatalf("open bolt store: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}}}
	addr, ok := redistest.Available(t)
	if !ok {
		t.Log("HIKIAI_TEST_REDIS_ADDR not set: scenarios run on the bolt store only")
		return fs
	}
	return append(fs, storeFactory{"redis", func(t *testing.T) screening.Store {
		return redistest.Store(t, addr)
	}})
}

// defaultSettings loads the embedded rules: the scenarios test the defaults
// that ship.
func defaultSettings(t testing.TB) *screening.Settings {
	t.Helper()
	s, err := rules.Load("")
	if err != nil {
		t.Fatalf("load default rules: %v", err)
	}
	return s
}

// newEngine builds an engine with the default checks on st; the returned
// function sets the clock.
func newEngine(t testing.TB, st screening.Store, s *screening.Settings) (*screening.Engine, func(time.Time)) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	e := &screening.Engine{
		Store:    st,
		Checks:   screening.DefaultChecks(s, screening.CheckDeps{NormalizePhone: phone.E164}),
		Settings: s,
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return e, func(t time.Time) {
		mu.Lock()
		now = t
		mu.Unlock()
	}
}

func loadScenarios(t *testing.T) []*screeningtest.Scenario {
	t.Helper()
	root, err := screeningtest.ModuleRoot()
	if err != nil {
		t.Fatalf("module root: %v", err)
	}
	scs, err := screeningtest.LoadScenarios(filepath.Join(root, "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) < 25 {
		t.Errorf("%d scenarios; the suite promises at least 25", len(scs))
	}
	return scs
}

// TestScenarios runs every file of testdata/scenarios through the engine with
// the default rules on a real store, step by step, and checks the flags each
// step must and must not get.
func TestScenarios(t *testing.T) {
	scs := loadScenarios(t)
	s := defaultSettings(t)
	known := map[string]bool{}
	for _, c := range screening.DefaultChecks(s, screening.CheckDeps{}) {
		known[c.Code()] = true
	}
	for _, sc := range scs {
		for _, st := range sc.Steps {
			for _, c := range append(append([]string{}, st.Expect...), st.Forbid...) {
				if !known[c] {
					t.Errorf("%s: step %q names flag %s, which no default check raises", sc.File, st.Name, c)
				}
			}
		}
	}
	for _, f := range storeFactories(t) {
		t.Run(f.name, func(t *testing.T) {
			for _, sc := range scs {
				t.Run(sc.Name, func(t *testing.T) {
					t.Parallel()
					e, setNow := newEngine(t, f.open(t), s)
					for i, st := range sc.Steps {
						setNow(st.Inquiry.ReceivedAt.Add(time.Minute))
						res, _, err := e.Screen(context.Background(), screening.ScreenRequest{KeyID: "key_" + st.Key, Inquiry: st.Inquiry})
						if err != nil {
							t.Fatalf("step %d (%s): %v", i, st.Name, err)
						}
						for _, p := range st.Verify(res.Flags, res.Action) {
							t.Errorf("step %d (%s): %s", i, st.Name, p)
						}
						if t.Failed() {
							for _, fl := range res.Flags {
								t.Logf("step %d flag %s (%d): %s", i, fl.Code, fl.Points, fl.Message)
							}
						}
					}
				})
			}
		})
	}
}

// TestDuplicateAcrossReplicas screens inquiries for one product from
// different companies at the same instant through separate engines sharing
// one bolt store (replicas in one process): whatever the interleaving,
// exactly one screening (the first to record) sees no other, and every other
// one raises duplicate_inquiry.
func TestDuplicateAcrossReplicas(t *testing.T) {
	st := storeFactories(t)[0].open(t)
	runReplicaRace(t, defaultSettings(t), []screening.Store{st, st})
}

// TestDuplicateAcrossRedisReplicas does the same with two Redis clients and
// stores on one key prefix, as two replicas in two processes would.
func TestDuplicateAcrossRedisReplicas(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	var stores []screening.Store
	for range 2 {
		st := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
		stores = append(stores, st)
		t.Cleanup(func() { _ = st.Close() })
	}
	runReplicaRace(t, defaultSettings(t), stores)
}

func runReplicaRace(t *testing.T, s *screening.Settings, stores []screening.Store) {
	const n = 12
	engines := make([]*screening.Engine, len(stores))
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, st := range stores {
		e, setNow := newEngine(t, st, s)
		setNow(at)
		engines[i] = e
	}
	flagged := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			inq := screening.Inquiry{
				Reference:  fmt.Sprintf("RACE-%02d", i),
				ReceivedAt: at.Add(time.Duration(i%5) * time.Hour),
				Customer:   screening.Party{Name: fmt.Sprintf("Racer %c Trading", 'A'+i), Country: "CN"},
				Items:      []screening.Item{{Product: "INV-HF700", Quantity: 1}},
				EndUse:     "motor test bench",
			}
			res, _, err := engines[i%len(engines)].Screen(context.Background(), screening.ScreenRequest{KeyID: "key_sales", Inquiry: inq})
			errs[i] = err
			if err == nil {
				for _, f := range res.Flags {
					flagged[i] = flagged[i] || f.Code == screening.CodeDuplicateInquiry
				}
			}
		})
	}
	close(start)
	wg.Wait()
	clean := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("screening %d: %v", i, errs[i])
		}
		if !flagged[i] {
			clean++
		}
	}
	if clean != 1 {
		t.Errorf("%d of %d racing screenings saw no other inquiry; exactly one (the first to record) should", clean, n)
	}
}
