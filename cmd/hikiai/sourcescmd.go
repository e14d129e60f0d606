package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources"
	"github.com/hikiai/hikiai/sources/refresh"
)

// sourcesCmd is `hikiai sources import|refresh|list|catalogue|formats`.
func sourcesCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError(sourcesUsage)
	}
	switch args[0] {
	case "refresh":
		return refreshCmd(ctx, cfg, log, args[1:], stdout)
	case "catalogue":
		if len(args) > 1 {
			return usageError("sources catalogue (prints the built-in catalogue, to start one of your own from)")
		}
		_, err := stdout.Write(refresh.BuiltinYAML())
		return err
	case "formats":
		for _, f := range sources.Formats() {
			src, _ := sources.SourceOf(f)
			fmt.Fprintf(stdout, "%-16s %s\n", f, src)
		}
		return nil
	case "import":
		fs := flag.NewFlagSet("sources import", flag.ContinueOnError)
		format := fs.String("format", "", "list format (see `hikiai sources formats`); detected from the files when empty")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if fs.NArg() == 0 {
			return usageError("sources import [--format F] FILE... (OFAC: sdn.csv add.csv alt.csv sdn_comments.csv together, or their folder)")
		}
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		groups := [][]string{fs.Args()}
		if *format == "" {
			groups = importGroups(fs.Args())
		}
		var failed []error
		for _, files := range groups {
			if err := importOne(ctx, adm, *format, files, stdout); err != nil {
				failed = append(failed, err)
				fmt.Fprintf(stdout, "%v\n", err)
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%d of %d imports failed (the others were imported; a failed list keeps its previous snapshot): %w",
				len(failed), len(groups), errors.Join(failed...))
		}
		return nil
	case "list":
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		snaps, err := adm.Lists(ctx)
		if err != nil {
			return err
		}
		checked := refresh.LastChecked(refreshDir(cfg))
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tLIST\tVERSION\tENTRIES\tIMPORTED\tAGE\tCHECKED")
		for _, s := range snaps {
			en, _ := screening.ListName(s.Source)
			// CHECKED: when `sources refresh` last found the publisher's file
			// the same or imported it; "-" if it never has.
			last := "-"
			if at, ok := checked[s.Source]; ok {
				last = at.Local().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.Source, en, s.Version, s.Count,
				s.ImportedAt.Format(time.RFC3339), time.Since(s.ImportedAt).Round(time.Minute), last)
		}
		return tw.Flush()
	}
	return usageError(sourcesUsage)
}

const sourcesUsage = "sources: import, refresh, list, catalogue or formats"

// importOne imports one list (one file, or the files of one OFAC set).
func importOne(ctx context.Context, adm api.Admin, format string, files []string, stdout io.Writer) error {
	start := time.Now()
	res, err := adm.ImportLists(ctx, format, files)
	if err != nil {
		return fmt.Errorf("import %s: %w", strings.Join(files, " "), err)
	}
	if res.Unchanged {
		fmt.Fprintf(stdout, "%s: unchanged (version %s, %d entries)\n", res.Source, res.Version, res.Entries)
		return nil
	}
	fmt.Fprintf(stdout, "%s: imported version %s, %d entries (+%d added, %d changed, -%d removed) in %s\n",
		res.Source, res.Version, res.Entries, res.Added, res.Changed, res.Removed, time.Since(start).Round(time.Millisecond))
	return nil
}

// ofacParts are the files of one OFAC SDN or consolidated set, which form one
// list together.
var ofacParts = map[string]bool{
	"sdn.csv": true, "add.csv": true, "alt.csv": true, "sdn_comments.csv": true,
	"cons_prim.csv": true, "cons_add.csv": true, "cons_alt.csv": true, "cons_comments.csv": true,
}

// importGroups splits the files of one command into lists: the OFAC files of
// one folder together, every other file (or folder) on its own, so that
// `hikiai sources import a.xlsx b.csv c.xml` imports three lists.
func importGroups(files []string) [][]string {
	var groups [][]string
	ofac := map[string]int{} // folder -> index in groups
	for _, f := range files {
		if !ofacParts[strings.ToLower(filepath.Base(f))] {
			groups = append(groups, []string{f})
			continue
		}
		dir := filepath.Dir(f)
		if i, ok := ofac[dir]; ok {
			groups[i] = append(groups[i], f)
			continue
		}
		ofac[dir] = len(groups)
		groups = append(groups, []string{f})
	}
	return groups
}
