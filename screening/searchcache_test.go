package screening

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

func TestSearchCacheAnswersLikeTheIndex(t *testing.T) {
	entries := []Entry{
		{Source: "meti_eul", SourceID: "1", Kind: KindOrganisation, Names: []EntryName{{Value: "Beijing University of Aeronautics and Astronautics"}, {Value: "Beihang University"}}, Countries: []string{"CN"}},
		{Source: "meti_eul", SourceID: "2", Kind: KindOrganisation, Names: []EntryName{{Value: "Harbin Institute of Technology"}}, Countries: []string{"CN"}},
	}
	set, err := NewListSet([]ListSnapshot{{Source: "meti_eul", Version: "1", Entries: entries}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		opt   names.SearchOptions
	}{
		{"Beihang University", names.SearchOptions{Country: "CN"}},
		{"Beihang University", names.SearchOptions{Country: "CN", MinScore: 0.99}},
		{"Harbin Inst of Techology", names.SearchOptions{}},
		{"株式会社山田精機", names.SearchOptions{Country: "JP"}},
	} {
		direct := set.Index.Search(tc.query, tc.opt)
		first := set.Search(tc.query, tc.opt)
		second := set.Search(tc.query, tc.opt) // from the cache
		if len(first) != len(direct) || !reflect.DeepEqual(first, second) {
			t.Fatalf("%q %+v: index %d hits, first search %v, cached %v", tc.query, tc.opt, len(direct), first, second)
		}
		for i := range first {
			if first[i].Hit.ID != direct[i].ID || first[i].Entry.Key() != set.entries.keyAt(direct[i].Index) {
				t.Errorf("%q hit %d: %s, want %s", tc.query, i, first[i].Hit.ID, direct[i].ID)
			}
			// The hash is worked out once and shared by the cached copies.
			want := first[i].Entry.ContentHash()
			if got := second[i].EntryHash(); got != want || first[i].EntryHash() != want {
				t.Errorf("%q hit %d: EntryHash %q, want %q", tc.query, i, got, want)
			}
		}
		if len(second) > 0 {
			second[0] = ListHit{} // a caller's slice is its own
			if again := set.Search(tc.query, tc.opt); again[0].Entry == nil {
				t.Errorf("%q: changing a returned slice changed the cache", tc.query)
			}
		}
	}
	// Options are part of the key: a higher MinScore must not get the
	// lower one's hits.
	if low, high := set.Search("Beihang Univ", names.SearchOptions{MinScore: 0.5}), set.Search("Beihang Univ", names.SearchOptions{MinScore: 0.999}); len(high) > len(low) {
		t.Errorf("MinScore 0.999 found %d hits, MinScore 0.5 found %d", len(high), len(low))
	}
}

func TestSearchCacheIsBounded(t *testing.T) {
	c := newSearchCache()
	for i := range searchShards * searchShardEntries * 3 {
		c.put(fmt.Sprintf("name %d", i), names.SearchOptions{}, nil)
	}
	total := 0
	for i := range c.shards {
		if n := len(c.shards[i].m); n > searchShardEntries {
			t.Errorf("shard %d holds %d searches, bound %d", i, n, searchShardEntries)
		} else {
			total += n
		}
	}
	if total == 0 {
		t.Error("the cache kept nothing")
	}
	long := string(make([]byte, searchMaxQuery+1))
	c.put(long, names.SearchOptions{}, nil)
	if _, ok := c.get(long, names.SearchOptions{}); ok {
		t.Error("a query longer than searchMaxQuery was cached")
	}
	var none *searchCache
	none.put("x", names.SearchOptions{}, nil)
	if _, ok := none.get("x", names.SearchOptions{}); ok {
		t.Error("a nil cache answered")
	}
}
