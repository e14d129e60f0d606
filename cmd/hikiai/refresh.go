package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/refresh"
)

// refreshDir is where refreshed list files and their validators are kept.
func refreshDir(cfg Config) string { return filepath.Join(cfg.DataDir, "lists") }

// loadCatalogue reads the operator's catalogue, or the built-in one.
func loadCatalogue(path string) (*refresh.Catalogue, error) {
	if path == "" {
		return refresh.Builtin(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	defer f.Close()
	c, err := refresh.ParseCatalogue(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// adminLists lets a refresh import through the same admin path as `hikiai
// sources import`: into the store, or through a running server's socket.
type adminLists struct{ adm api.Admin }

func (a adminLists) Import(ctx context.Context, format string, files []string) (*refresh.Imported, error) {
	res, err := a.adm.ImportLists(ctx, format, files)
	if err != nil {
		return nil, err
	}
	return &refresh.Imported{Version: res.Version, Unchanged: res.Unchanged, Entries: res.Entries,
		Added: res.Added, Changed: res.Changed, Removed: res.Removed}, nil
}

func (a adminLists) Versions(ctx context.Context) (map[string]string, error) {
	snaps, err := a.adm.Lists(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(snaps))
	for _, s := range snaps {
		out[s.Source] = s.Version
	}
	return out, nil
}

// refreshCmd is `hikiai sources refresh`.
func refreshCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sources refresh", flag.ContinueOnError)
	only := fs.String("only", "", "comma-separated lists to refresh (see `hikiai sources catalogue`); default every list")
	force := fs.Bool("force", false, "download every file whole and import it even if it did not change")
	catalogue := fs.String("catalogue", cfg.RefreshCatalog, "YAML file saying where each list is published; default the built-in one")
	dir := fs.String("dir", refreshDir(cfg), "folder that keeps the downloaded files and their validators")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() != 0 {
		return usageError("sources refresh [--only LIST,...] [--force] [--catalogue FILE] [--dir DIR] [--timeout D]")
	}
	cat, err := loadCatalogue(*catalogue)
	if err != nil {
		return err
	}
	var names []string
	for n := range strings.SplitSeq(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if cat, err = cat.Only(names); err != nil {
		return usageError(err.Error())
	}
	adm, closeFn, err := adminFor(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeFn()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	r := &refresh.Refresher{Catalogue: cat, Fetcher: &refresh.Fetcher{}, Store: adminLists{adm}, Dir: *dir, Force: *force}
	outs, err := r.Run(ctx)
	failed := 0
	for _, o := range outs {
		fmt.Fprintln(stdout, describeRefresh(o))
		if o.Status == refresh.StatusFailed {
			failed++
		}
	}
	if err != nil {
		return err
	}
	switch {
	case failed > 0 && failed == len(outs):
		return fmt.Errorf("no list could be refreshed; the lists in force stay as they were")
	case failed > 0:
		return fmt.Errorf("%d of %d lists failed to refresh (the others were refreshed; a failed list keeps its previous snapshot)", failed, len(outs))
	}
	return nil
}

// describeRefresh is one line for a list's refresh, for people and logs.
func describeRefresh(o refresh.Outcome) string {
	took := o.Took.Round(time.Millisecond)
	switch o.Status {
	case refresh.StatusFailed:
		return fmt.Sprintf("%s: FAILED: %v", o.Source, o.Err)
	case refresh.StatusNotModified:
		return fmt.Sprintf("%s: not modified at the publisher (%d files) in %s", o.Source, len(o.Files), took)
	case refresh.StatusUnchanged:
		return fmt.Sprintf("%s: downloaded, same entries as version %s (%d entries) in %s", o.Source, o.Imported.Version, o.Imported.Entries, took)
	}
	im := o.Imported
	return fmt.Sprintf("%s: imported version %s, %d entries (+%d added, %d changed, -%d removed) in %s",
		o.Source, im.Version, im.Entries, im.Added, im.Changed, im.Removed, took)
}

// listRefresher runs the refresh on a schedule inside `serve` (HIKIAI_REFRESH_INTERVAL).
// With Redis, replicas take a lock so that one of them refreshes; the
// others see the new snapshots through their list watchers like any import.
type listRefresher struct {
	refresher *refresh.Refresher
	locks     screening.Cache
	interval  time.Duration
	delay     time.Duration
	observe   func(source, status string, succeeded bool, at time.Time)
	log       *slog.Logger
	rounds
}

func (l *listRefresher) start(ctx context.Context) {
	l.log.Info("lists are refreshed from their publishers", slog.String("every", l.interval.String()),
		slog.Int("lists", len(l.refresher.Catalogue.Lists)), slog.String("dir", l.refresher.Dir))
	l.rounds.start(ctx, l.delay, l.interval, l.refreshOnce)
}

// refreshOnce refreshes unless another replica is at it. Failures are logged
// and counted; the next round tries again.
func (l *listRefresher) refreshOnce(ctx context.Context) {
	underLock(ctx, l.locks, "refresh:lists", l.interval, "list refresh", l.log, func() {
		outs, err := l.refresher.Run(ctx)
		for _, o := range outs {
			if l.observe != nil {
				l.observe(o.Source, o.Status, o.Status != refresh.StatusFailed, time.Now())
			}
			attrs := []any{slog.String("source", o.Source), slog.String("status", o.Status), slog.Duration("took", o.Took)}
			if o.Status == refresh.StatusFailed {
				l.log.Warn("list refresh failed; the list in force stays; retried next round", append(attrs, slog.Any("err", o.Err))...)
				continue
			}
			l.log.Info(describeRefresh(o), attrs...)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			l.log.Warn("list refresh stopped", slog.Any("err", err))
		}
	})
}
