package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// ListSet is every loaded list snapshot with one name index over all entries.
// It is immutable; Lists swaps whole sets so a screening sees one version.
type ListSet struct {
	Sources  []ListSnapshot // metadata, Entries nil
	Index    *names.Index
	Version  string // combined version of every source
	LoadedAt time.Time
	entries  entryPack    // every entry, in index order
	ranges   []int        // the entries of Sources[i] are [ranges[i], ranges[i+1])
	searches *searchCache // hits of recent searches on this set (nil: none kept)
}

// NewListSet builds the name index over snapshots (entries included).
func NewListSet(snaps []ListSnapshot, now time.Time) (*ListSet, error) {
	parts := make([]listPart, len(snaps))
	for i, s := range snaps {
		parts[i].snap = s
	}
	return buildListSet(parts, now, nil, nil)
}

// listPart is one source's entries for a new set: read from the store
// (snap.Entries), or taken from a loaded set where its version is the same
// (entries [lo, hi) of from), with the encoding and the name analysis that
// set made of them.
type listPart struct {
	snap   ListSnapshot
	from   *ListSet
	lo, hi int
}

func (p *listPart) len() int {
	if p.from != nil {
		return p.hi - p.lo
	}
	return len(p.snap.Entries)
}

// buildListSet builds a set of the parts. pace, when set, is called every few
// hundred entries; it may sleep (see Lists.Pace), and an error from it stops
// the build. stop, when set and pace is not, is checked as often and stops
// the build too, without taking it off the other cores (names.BuildOptions).
func buildListSet(parts []listPart, now time.Time, pace, stop func() error) (*ListSet, error) {
	sort.Slice(parts, func(i, j int) bool { return parts[i].snap.Source < parts[j].snap.Source })
	set := &ListSet{LoadedAt: now, searches: newSearchCache(), ranges: []int{0}}
	nameParts := make([]names.Part, 0, len(parts))
	versions := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.from != nil {
			nameParts = append(nameParts, names.Part{From: p.from.Index, Lo: p.lo, Hi: p.hi})
		} else {
			records := make([]names.Record, len(p.snap.Entries))
			for i := range p.snap.Entries {
				records[i] = RecordOf(&p.snap.Entries[i])
			}
			nameParts = append(nameParts, names.Part{Records: records})
		}
		meta := p.snap
		meta.Entries = nil
		set.Sources = append(set.Sources, meta)
		set.ranges = append(set.ranges, set.ranges[len(set.ranges)-1]+p.len())
		versions = append(versions, meta.Source+"="+meta.Version)
	}
	ix, err := names.Build(nameParts, names.BuildOptions{Pace: pace, Stop: stop})
	if err != nil {
		return nil, fmt.Errorf("build name index: %w", err)
	}
	set.Index = ix
	check := pace
	if check == nil {
		check = stop
	}
	if set.entries, err = packParts(parts, check); err != nil {
		return nil, fmt.Errorf("pack list entries: %w", err)
	}
	if len(versions) > 0 {
		sum := sha256.Sum256([]byte(strings.Join(versions, ";")))
		set.Version = hex.EncodeToString(sum[:8])
	}
	return set, nil
}

// RecordOf is what the name index keeps of an entry.
func RecordOf(e *Entry) names.Record {
	r := names.Record{ID: e.Key(), Countries: e.Countries, Kind: string(e.Kind)}
	for _, n := range e.Names {
		r.Names = append(r.Names, names.NameVariant{Value: n.Value, Weak: n.Strength == NameWeak})
	}
	return r
}

// Len is the number of entries.
func (s *ListSet) Len() int { return s.entries.len() }

// EntryAt returns entry i (in index order, 0 <= i < Len()), decoded afresh:
// the caller owns it.
func (s *ListSet) EntryAt(i int) Entry { return s.entries.at(i) }

// All yields every entry in index order.
func (s *ListSet) All() iter.Seq2[int, Entry] {
	return func(yield func(int, Entry) bool) {
		for i := range s.entries.len() {
			if !yield(i, s.entries.at(i)) {
				return
			}
		}
	}
}

// Entry returns an entry by its key, decoded afresh.
func (s *ListSet) Entry(key string) (*Entry, bool) {
	i, ok := s.entries.index(key)
	if !ok {
		return nil, false
	}
	e := s.entries.at(i)
	return &e, true
}

// SourceVersion returns the snapshot version of one source.
func (s *ListSet) SourceVersion(source string) string {
	for _, m := range s.Sources {
		if m.Source == source {
			return m.Version
		}
	}
	return ""
}

// ListHit is a search hit with its entry.
type ListHit struct {
	Entry *Entry
	names.Hit
	hash *lazyHash // shared by the copies of a cached hit
}

// lazyHash is an entry's content hash, worked out at most once.
type lazyHash struct {
	once sync.Once
	v    string
}

// EntryHash is Entry.ContentHash(). It is worked out once per search and
// entry, not per screening: a denied-party flag carries it, and the hits of
// a cached search serve many screenings.
func (h ListHit) EntryHash() string {
	if h.hash == nil {
		return h.Entry.ContentHash()
	}
	h.hash.once.Do(func() { h.hash.v = h.Entry.ContentHash() })
	return h.hash.v
}

// Search finds entries whose names match query. Recent searches are answered
// from the set's cache (searchcache.go); the hits are shared and read-only.
func (s *ListSet) Search(query string, opt names.SearchOptions) []ListHit {
	if out, ok := s.searches.get(query, opt); ok {
		return out
	}
	hits := s.Index.Search(query, opt)
	out := make([]ListHit, len(hits))
	entries := make([]Entry, len(hits))
	hashes := make([]lazyHash, len(hits)) // one allocation, not one per hit
	for i, h := range hits {
		entries[i] = s.entries.at(h.Index)
		out[i] = ListHit{Entry: &entries[i], Hit: h, hash: &hashes[i]}
	}
	s.searches.put(query, opt, out)
	return out
}

// Lists holds the current ListSet; Swap replaces it for every later reader.
type Lists struct {
	cur atomic.Pointer[ListSet]
	// Pace, when set, is called every few hundred entries while Reload
	// builds a set to replace a loaded one, and may sleep: the service is
	// answering screenings meanwhile, and a build of 1,000,000 entries at
	// full speed took a core of the two for most of a minute (see
	// BENCHMARKS.md). A first load is not paced. Not to be changed while
	// a Reload runs.
	Pace func()
}

// Current returns the loaded set, or nil before any list was loaded.
func (l *Lists) Current() *ListSet { return l.cur.Load() }

// Swap installs a new set.
func (l *Lists) Swap(s *ListSet) { l.cur.Store(s) }

// Version is the combined version of the loaded lists ("" when none).
func (l *Lists) Version() string {
	if s := l.cur.Load(); s != nil {
		return s.Version
	}
	return ""
}

// ListNames are the lists' names for people, in English and Japanese.
var ListNames = map[string][2]string{
	"meti_eul":  {"METI End User List", "経済産業省 外国ユーザーリスト"},
	"jp_mof":    {"MOF asset-freeze list", "財務省 資産凍結等経済制裁対象者リスト"},
	"us_csl":    {"US Consolidated Screening List", "米国 統合スクリーニングリスト（CSL）"},
	"ofac_sdn":  {"OFAC SDN List", "米国財務省 OFAC SDNリスト"},
	"ofac_cons": {"OFAC non-SDN lists", "米国財務省 OFAC 非SDNリスト"},
	"bis_dpl":   {"BIS Denied Persons List", "米国商務省 取引禁止顧客リスト（DPL）"},
	"un_sc":     {"UN Security Council sanctions list", "国連安全保障理事会 制裁リスト"},
	"eu_fsf":    {"EU financial sanctions list", "EU 金融制裁リスト"},
	"uk_fcdo":   {"UK sanctions list", "英国 制裁リスト"},
}

// ListName gives the English and Japanese names of a list code.
func ListName(source string) (en, ja string) {
	if n, ok := ListNames[source]; ok {
		return n[0], n[1]
	}
	return source, source
}
