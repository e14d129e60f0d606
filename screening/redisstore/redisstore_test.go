package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/hikiai/hikiai/screening/storetest"
	"github.com/redis/go-redis/v9"
)

func factory(addr string) storetest.Factory {
	var mu sync.Mutex
	prefixes := map[screening.Store]string{}
	open := func(t *testing.T, prefix string) screening.Store {
		st := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
		t.Cleanup(func() { _ = st.Close() })
		mu.Lock()
		prefixes[st] = prefix
		mu.Unlock()
		return st
	}
	return storetest.Factory{
		New: func(t *testing.T) screening.Store {
			prefix := redistest.Prefix(t, addr)
			return open(t, prefix)
		},
		Reopen: func(t *testing.T, old screening.Store) screening.Store {
			mu.Lock()
			prefix := prefixes[old]
			mu.Unlock()
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, prefix) // a new client on the same server
		},
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, factory(redistest.Addr(t)))
}

func TestCacheConformance(t *testing.T) {
	addr := redistest.Addr(t)
	storetest.RunCache(t, func(t *testing.T) screening.Cache {
		prefix := redistest.Prefix(t, addr)
		return redisstore.NewCache(redistest.NewClient(t, addr), redisstore.CachePrefix(prefix))
	})
}

// TestWatchAcrossClients checks the announcement reaches another replica:
// a store on its own client, as another process would have.
func TestWatchAcrossClients(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	writer := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
	reader := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
	other := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: redistest.UniquePrefix()})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ch, err := reader.WatchSnapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	otherCh, err := other.WatchSnapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap := &screening.ListSnapshot{Source: "meti_eul", Version: "v1", ImportedAt: time.Now(), Count: 0}
	if err := writer.SaveSnapshot(ctx, snap, screening.NewAuditRecord(time.Now(), screening.AuditListImport, "cli", "meti_eul", nil)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != "meti_eul" {
			t.Errorf("announced %q", got)
		}
	case <-ctx.Done():
		t.Fatal("the other replica heard nothing")
	}
	select {
	case got := <-otherCh:
		t.Errorf("a store with another prefix heard %q", got)
	case <-time.After(200 * time.Millisecond):
	}
	// Closing the store ends its watches.
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, open := <-ch:
		if open {
			t.Error("a value after Close")
		}
	case <-time.After(10 * time.Second):
		t.Error("watch not closed with the store")
	}
}

// TestChainAcrossReplicas has two stores (two "replicas" with their own
// clients and head caches) append concurrently: the chain must stay whole,
// which exercises the stale-head retry.
func TestChainAcrossReplicas(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	a := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
	b := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
	var wg sync.WaitGroup
	for _, st := range []*redisstore.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				if _, err := st.AppendAudit(t.Context(), screening.NewAuditRecord(time.Now(), screening.AuditRescreen, "system", "x", nil)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	wholeChain(t, a, 100)
}

func TestUnreachable(t *testing.T) {
	// Nothing listens on port 1.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	st := redisstore.New(c, redisstore.Options{})
	if code := screening.ErrorCode(st.Ping(t.Context())); code != screening.EUNAVAILABLE {
		t.Errorf("Ping without a server: code %q, want %q", code, screening.EUNAVAILABLE)
	}
	_, err := st.Screening(t.Context(), "scr_1")
	if code := screening.ErrorCode(err); code != screening.EUNAVAILABLE {
		t.Errorf("Screening without a server: code %q, want %q", code, screening.EUNAVAILABLE)
	}
	err = st.SaveScreening(t.Context(), &screening.Screening{Result: screening.Result{ID: "scr_1"}}, nil, screening.AuditRecord{})
	if code := screening.ErrorCode(err); code != screening.EUNAVAILABLE {
		t.Errorf("SaveScreening without a server: code %q (%v), want %q", code, err, screening.EUNAVAILABLE)
	}
	cache := redisstore.NewCache(c)
	if _, _, err := cache.Get(t.Context(), "k"); screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Errorf("cache Get without a server: %v", err)
	}
	var se *screening.Error
	if !errors.As(err, &se) {
		t.Errorf("error %v carries no *screening.Error", err)
	}
}

func TestCheckPersistence(t *testing.T) {
	addr := redistest.Addr(t)
	c := redistest.NewClient(t, addr)
	st := redisstore.New(c, redisstore.Options{})
	aof, err := st.CheckPersistence(t.Context())
	if err != nil {
		t.Fatalf("CheckPersistence: %v", err)
	}
	want, err := c.ConfigGet(t.Context(), "appendonly").Result()
	if err != nil {
		t.Skipf("CONFIG is disabled on the test server: %v", err)
	}
	if aof != (want["appendonly"] == "yes") {
		t.Errorf("CheckPersistence = %v, server says appendonly=%q", aof, want["appendonly"])
	}
}

// newStore is a store under a fresh prefix on the test server, with its client.
func newStore(t *testing.T) (*redisstore.Store, *redis.Client, string) {
	t.Helper()
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	c := redistest.NewClient(t, addr)
	return redisstore.New(c, redisstore.Options{Prefix: prefix}), c, prefix
}

// TestScriptCacheFlushed checks the pipelined history scripts load
// themselves again after the server forgot them (a restart or failover does).
func TestScriptCacheFlushed(t *testing.T) {
	st, c, _ := newStore(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	entry := func(id string) []screening.HistoryEntry {
		return []screening.HistoryEntry{
			{Kind: screening.HistoryProduct, Key: "P1", ScreeningID: id, At: at},
			{Kind: screening.HistoryCounterparty, Key: "acme", ScreeningID: id, At: at},
		}
	}
	if _, err := st.RecordHistory(t.Context(), entry("scr_1"), 10); err != nil {
		t.Fatal(err)
	}
	if err := c.ScriptFlush(t.Context()).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH refused: %v", err)
	}
	got, err := st.RecordHistory(t.Context(), entry("scr_2"), 10)
	if err != nil {
		t.Fatalf("RecordHistory after SCRIPT FLUSH: %v", err)
	}
	if len(got[0]) != 1 || got[0][0].ScreeningID != "scr_1" || len(got[1]) != 1 {
		t.Errorf("after SCRIPT FLUSH: %+v", got)
	}
}

// A history script that fails after others of its call ran (here one key
// holds a value of the wrong type) takes back what they recorded, history
// and counterparty index alike: a screening that failed leaves nothing that a
// later screening or the delta re-screen would find.
func TestRecordHistoryFailureLeavesNothing(t *testing.T) {
	st, c, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	entry := func(kind, key, id string, at time.Time) screening.HistoryEntry {
		return screening.HistoryEntry{Kind: kind, Key: key, ScreeningID: id, Reference: "ref-" + id, At: at,
			Party: screening.RoleCustomer, Name: "Acme " + id, NameKey: "acme " + id, Country: "CN"}
	}
	good := entry(screening.HistoryCounterparty, "acme", "scr_failed", at)
	bad := entry(screening.HistoryContact, "phone:+861012345678", "scr_failed", at)
	if err := c.Set(ctx, prefix+"{h:"+bad.Kind+":"+bad.Key+"}", "not a sorted set", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{good, bad}, 10); err == nil {
		t.Fatal("RecordHistory succeeded with a history key of the wrong type")
	}
	later := entry(screening.HistoryCounterparty, "acme", "scr_later", at.Add(time.Minute))
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{later}, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range got[0] {
		t.Errorf("a later screening sees history of the failed one: %s", h.ScreeningID)
	}
	var seen []string
	if err := st.SeenCounterparties(ctx, time.Time{}, func(h screening.HistoryEntry) error {
		seen = append(seen, h.ScreeningID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "scr_later" {
		t.Errorf("counterparty index holds %v, want only scr_later", seen)
	}
}
