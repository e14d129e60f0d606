package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/memcache"
)

// TestHistoryPruner: the pruner removes what is older than the retention,
// keeps the rest, and stands aside while another replica holds the lock.
func TestHistoryPruner(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	entry := func(id string, age time.Duration) screening.HistoryEntry {
		return screening.HistoryEntry{Kind: screening.HistoryProduct, Key: "MC-1", ScreeningID: id, At: now.Add(-age), Party: "customer", Name: id, NameKey: id}
	}
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{entry("old", 1300*24*time.Hour), entry("recent", 24*time.Hour)}, 10); err != nil {
		t.Fatal(err)
	}
	cache := memcache.New(memcache.Options{})
	p := &historyPruner{store: st, locks: cache, keep: 1200 * 24 * time.Hour, now: func() time.Time { return now },
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	// Another replica holds the lock: nothing is pruned.
	release, ok, err := cache.Lock(ctx, "prune:history", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	p.pruneOnce(ctx)
	if got := seenIDs(t, st, entry("probe1", 0)); len(got) != 2 {
		t.Fatalf("pruned while another replica held the lock: %v", got)
	}
	release()

	p.pruneOnce(ctx)
	if got := seenIDs(t, st, entry("probe2", 0)); len(got) != 2 || got[0] != "probe1" || got[1] != "recent" {
		t.Errorf("after prune: %v, want probe1 and recent", got)
	}
}

// seenIDs records probe and returns the ids of the earlier entries of its key, newest first.
func seenIDs(t *testing.T, st screening.Store, probe screening.HistoryEntry) []string {
	t.Helper()
	found, err := st.RecordHistory(context.Background(), []screening.HistoryEntry{probe}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range found[0] {
		ids = append(ids, e.ScreeningID)
	}
	return ids
}
