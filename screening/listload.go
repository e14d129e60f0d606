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
	snaps := make([]ListSnapshot, 0, len(metas))
	for _, m := range metas {
		// Reuse entries of unchanged sources instead of reading them again.
		if cur != nil && cur.SourceVersion(m.Source) == m.Version {
			snaps = append(snaps, cur.snapshotOf(m))
			continue
		}
		s, err := store.Snapshot(ctx, m.Source)
		if err != nil {
			return nil, nil, fmt.Errorf("load list %s: %w", m.Source, err)
		}
		snaps = append(snaps, *s)
	}
	set, err := NewListSet(snaps, now)
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

// snapshotOf rebuilds a source's snapshot from the loaded entries.
func (s *ListSet) snapshotOf(meta ListSnapshot) ListSnapshot {
	out := meta
	out.Entries = nil
	for _, e := range s.All() {
		if e.Source == meta.Source {
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}

// Delta returns the entries of next that are new or changed against prev (all
// of next when prev is nil), sorted by key.
func Delta(prev, next *ListSet) []Entry {
	var out []Entry
	for _, e := range next.All() {
		if prev != nil {
			if old, ok := prev.Entry(e.Key()); ok && old.ContentHash() == e.ContentHash() {
				continue
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
