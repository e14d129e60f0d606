package screening

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Reload compares the store's current snapshots with the loaded set and, when
// any source's version differs, loads every snapshot and swaps in a new set. It
// returns the previous set (nil when none) and the new one, or nils when nothing
// changed. A failure leaves the loaded set in force.
func (l *Lists) Reload(ctx context.Context, store Store, now time.Time) (prev, next *ListSet, err error) {
	metas, err := store.Snapshots(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list snapshots: %w", err)
	}
	cur := l.Current()
	if cur != nil && sameVersions(cur.Sources, metas) {
		return nil, nil, nil
	}
	if cur == nil && len(metas) == 0 {
		return nil, nil, nil
	}
	parts := make([]listPart, 0, len(metas))
	for _, m := range metas {
		// A source whose version did not change is taken from the loaded
		// set as it is: not read, decoded or analysed again.
		if cur != nil && cur.SourceVersion(m.Source) == m.Version {
			if lo, hi, ok := cur.sourceRange(m.Source); ok {
				parts = append(parts, listPart{snap: m, from: cur, lo: lo, hi: hi})
				continue
			}
		}
		s, err := store.Snapshot(ctx, m.Source)
		if err != nil {
			return nil, nil, fmt.Errorf("load list %s: %w", m.Source, err)
		}
		parts = append(parts, listPart{snap: *s})
	}
	// A set that replaces a loaded one is built beside live screenings: on
	// one goroutine, paced. A first load runs on every core. Either is given
	// up when ctx ends: a shutdown need not wait for it (a first load of
	// 1,000,000 entries takes about 15 s).
	var pace, stop func() error
	if cur != nil {
		pace = func() error {
			if l.Pace != nil {
				l.Pace()
			}
			return ctx.Err()
		}
	} else {
		stop = ctx.Err
	}
	set, err := buildListSet(parts, now, pace, stop)
	if err != nil {
		return nil, nil, err
	}
	l.Swap(set)
	return cur, set, nil
}

func sameVersions(a, b []ListSnapshot) bool {
	if len(a) != len(b) {
		return false
	}
	va := map[string]string{}
	for _, s := range a {
		va[s.Source] = s.Version
	}
	for _, s := range b {
		if va[s.Source] != s.Version {
			return false
		}
	}
	return true
}

// sourceRange returns the entries of one source: [lo, hi) in index order.
func (s *ListSet) sourceRange(source string) (lo, hi int, ok bool) {
	for i, m := range s.Sources {
		if m.Source == source {
			return s.ranges[i], s.ranges[i+1], true
		}
	}
	return 0, 0, false
}

// Delta returns the entries of next that are new or changed against prev (all
// of next when prev is nil), sorted by key. Only the sources whose version
// differs are compared: a version is the hash of its source's entries.
func Delta(prev, next *ListSet) []Entry {
	var out []Entry
	for si, m := range next.Sources {
		if prev != nil && prev.SourceVersion(m.Source) == m.Version {
			continue
		}
		for i := next.ranges[si]; i < next.ranges[si+1]; i++ {
			e := next.EntryAt(i)
			if prev != nil {
				if old, ok := prev.Entry(e.Key()); ok && old.ContentHash() == e.ContentHash() {
					continue
				}
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
