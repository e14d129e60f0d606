package api

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources"
)

// ImportResult says what an import did.
type ImportResult struct {
	Source          string `json:"source"`
	Version         string `json:"version"`
	PreviousVersion string `json:"previous_version,omitempty"`
	Entries         int    `json:"entries"`
	Unchanged       bool   `json:"unchanged"`
	Added           int    `json:"added"`
	Changed         int    `json:"changed"`
	Removed         int    `json:"removed"`
}

// ImportLists parses one list (OFAC: its several files together) and makes it
// the current snapshot of its source. A file that does not parse is refused
// whole, naming the file and the place, and the previous snapshot stays in force.
func (a *LocalAdmin) ImportLists(ctx context.Context, format string, files []string) (*ImportResult, error) {
	if len(files) == 0 {
		return nil, invalid("files", "at least one list file is required")
	}
	abs := make([]string, len(files))
	for i, f := range files {
		p, err := filepath.Abs(f)
		if err != nil {
			return nil, invalid("files", err.Error())
		}
		abs[i] = p
	}
	source, entries, err := sources.Parse(ctx, format, abs...)
	if err != nil {
		return nil, &screening.Error{Code: screening.EUNPROCESSABLE, Message: err.Error()}
	}
	now := a.Now().UTC()
	snap := sources.Snapshot(source, entries, baseNames(abs), now)
	res := &ImportResult{Source: source, Version: snap.Version, Entries: snap.Count}
	var old []screening.Entry
	prev, err := a.Store.Snapshot(ctx, source)
	switch {
	case screening.ErrorCode(err) == screening.ENOTFOUND:
	case err != nil:
		return nil, fmt.Errorf("read current %s snapshot: %w", source, err)
	default:
		res.PreviousVersion = prev.Version
		if prev.Version == snap.Version {
			res.Unchanged = true
			return res, nil
		}
		old = prev.Entries
	}
	var pending []string
	res.Added, res.Changed, res.Removed, pending = diffEntries(old, entries)
	// Recorded before the snapshot is saved: an import into a stopped
	// service is re-screened when it starts, and one whose re-screening is
	// cut short is resumed. Should the save then fail, the items name
	// entries still listed as they were, and re-screening them again only
	// costs time.
	if err := a.Store.AddRescreenPending(ctx, pending); err != nil {
		return nil, fmt.Errorf("record the %s change for re-screening: %w", source, err)
	}
	audit := screening.NewAuditRecord(now, screening.AuditListImport, a.Actor, source+"@"+snap.Version, res)
	if err := a.Store.SaveSnapshot(ctx, &snap, audit); err != nil {
		return nil, fmt.Errorf("save %s snapshot: %w", source, err)
	}
	return res, nil
}

// Lists returns the current snapshot of every source, without entries.
func (a *LocalAdmin) Lists(ctx context.Context) ([]screening.ListSnapshot, error) {
	return a.Store.Snapshots(ctx)
}

// diffEntries counts what an import adds, changes and removes, and gives
// the added and changed entries as screening.PendingItem.
func diffEntries(old, cur []screening.Entry) (added, changed, removed int, pending []string) {
	before := make(map[string]string, len(old))
	for i := range old {
		before[old[i].Key()] = old[i].ContentHash()
	}
	seen := make(map[string]bool, len(cur))
	for i := range cur {
		k, hash := cur[i].Key(), cur[i].ContentHash()
		seen[k] = true
		h, ok := before[k]
		switch {
		case !ok:
			added++
		case h != hash:
			changed++
		default:
			continue
		}
		pending = append(pending, screening.PendingItem(k, hash))
	}
	for k := range before {
		if !seen[k] {
			removed++
		}
	}
	return added, changed, removed, pending
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// ImportLists asks the server to import files (paths are made absolute here,
// since the server reads them from its own working directory).
func (ac *AdminClient) ImportLists(ctx context.Context, format string, files []string) (*ImportResult, error) {
	abs := make([]string, len(files))
	for i, f := range files {
		p, err := filepath.Abs(f)
		if err != nil {
			return nil, invalid("files", err.Error())
		}
		abs[i] = p
	}
	var out ImportResult
	err := ac.call(ctx, "POST", "/lists/import", map[string]any{"format": format, "files": abs}, &out)
	return &out, err
}

// Lists asks the server for the current snapshots.
func (ac *AdminClient) Lists(ctx context.Context) ([]screening.ListSnapshot, error) {
	var out []screening.ListSnapshot
	err := ac.call(ctx, "GET", "/lists", nil, &out)
	return out, err
}
