package redisstore_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

// TestCompanyIndex: a contact set written before it had a company index
// (members of both encodings) gets one on its first look-up; the index
// holds at most two members per company however many entries each makes,
// the hash and the sorted set agree, and pruning everything leaves neither.
func TestCompanyIndex(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	c := redistest.NewClient(t, addr)
	st := redisstore.New(c, redisstore.Options{Prefix: prefix})
	ctx := t.Context()
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	const key = "phone:+862055556666"
	keys := st.HistoryKeys(screening.HistoryContact, key)
	entry := func(id, company string, at time.Time) screening.HistoryEntry {
		return screening.HistoryEntry{Kind: screening.HistoryContact, Key: key, ScreeningID: id, At: at,
			Party: screening.RoleCustomer, Name: company, NameKey: company}
	}

	// Written as by an earlier version: the set alone.
	var old []any
	for i := range 50 {
		e := entry(fmt.Sprintf("scr_acme%02d", i), "acme", base.Add(time.Duration(i)*time.Minute))
		old = append(old, 0, redisstore.HistoryMember(e))
	}
	for i := range 3 {
		e := entry(fmt.Sprintf("scr_front%d", i), "front", base.Add(time.Duration(i)*time.Hour))
		old = append(old, 0, redisstore.HistoryMember(e))
	}
	old = append(old, 0, redisstore.TimeKey(base.Add(-time.Hour))+"scr_json\x00"+`{"n":"Old Co","k":"old co"}`)
	if err := c.Do(ctx, append([]any{"zadd", keys[0]}, old...)...).Err(); err != nil {
		t.Fatal(err)
	}

	ask := entry("scr_ask", "acme", base.Add(5*time.Hour))
	ask.OthersOnly = true
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{ask}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got[0] {
		ids = append(ids, e.ScreeningID)
	}
	if want := []string{"scr_front2", "scr_json"}; !slices.Equal(ids, want) {
		t.Errorf("first look-up on an unindexed set: %v, want %v", ids, want)
	}
	checkIndex(t, c, keys, 5) // acme 2, front 2, old co 1

	for i := range 100 {
		e := entry(fmt.Sprintf("scr_more%03d", i), []string{"front", "acme", "shell"}[i%3], base.Add(6*time.Hour+time.Duration(i)*time.Minute))
		e.OthersOnly = true
		if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{e}, 10); err != nil {
			t.Fatal(err)
		}
	}
	checkIndex(t, c, keys, 7) // and shell 2

	if _, err := st.PruneHistory(ctx, base.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Exists(ctx, keys...).Result(); err != nil || n != 0 {
		t.Errorf("after pruning everything %d of the set and its index are left (%v)", n, err)
	}
}

// checkIndex checks the company index holds want members, and the same
// ones in its sorted set and its hash.
func checkIndex(t *testing.T, c *redis.Client, keys []string, want int) {
	t.Helper()
	ctx := t.Context()
	inSet, err := c.ZRange(ctx, keys[1], 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	inHash, err := c.HVals(ctx, keys[2]).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(inSet)
	slices.Sort(inHash)
	if len(inSet) != want || !slices.Equal(inSet, inHash) {
		t.Errorf("company index: %d members in the sorted set, %d in the hash, want %d in both, the same", len(inSet), len(inHash), want)
	}
}
