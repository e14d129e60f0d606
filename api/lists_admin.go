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
	prev, err := a.Store.Snapshot(ctx, source)
	switch {
	case screening.ErrorCode(err) == screening.ENOTFOUND:
		res.Added = len(entries)
	case err != nil:
		return nil, fmt.Errorf("read current %s snapshot: %w", source, err)
	default:
		res.PreviousVersion = prev.Version
		if prev.Version == snap.Version {
			res.Unchanged = true
			return res, nil
		}
		res.Added, res.Changed, res.Removed = diffEntries(prev.Entries, entries)
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

func diffEntries(old, cur []screening.Entry) (added, changed, removed int) {
	before := make(map[string]string, len(old))
	for i := range old {
		before[old[i].Key()] = old[i].ContentHash()
	}
	seen := make(map[string]bool, len(cur))
	for i := range cur {
		k := cur[i].Key()
		seen[k] = true
		h, ok := before[k]
		switch {
		case !ok:
			added++
		case h != cur[i].ContentHash():
			changed++
		}
	}
	for k := range before {
		if !seen[k] {
			removed++
		}
	}
	return added, changed, removed
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
