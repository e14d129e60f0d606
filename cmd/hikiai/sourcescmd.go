package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources"
)

// sourcesCmd is `hikiai sources import|list|formats`.
func sourcesCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("sources: import, list or formats")
	}
	switch args[0] {
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
		start := time.Now()
		res, err := adm.ImportLists(ctx, *format, fs.Args())
		if err != nil {
			return fmt.Errorf("import %s: %w", strings.Join(fs.Args(), " "), err)
		}
		if res.Unchanged {
			fmt.Fprintf(stdout, "%s: unchanged (version %s, %d entries)\n", res.Source, res.Version, res.Entries)
			return nil
		}
		fmt.Fprintf(stdout, "%s: imported version %s, %d entries (+%d added, %d changed, -%d removed) in %s\n",
			res.Source, res.Version, res.Entries, res.Added, res.Changed, res.Removed, time.Since(start).Round(time.Millisecond))
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
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tLIST\tVERSION\tENTRIES\tIMPORTED\tAGE")
		for _, s := range snaps {
			en, _ := screening.ListName(s.Source)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.Source, en, s.Version, s.Count,
				s.ImportedAt.Format(time.RFC3339), time.Since(s.ImportedAt).Round(time.Minute))
		}
		return tw.Flush()
	}
	return usageError("sources: import, list or formats")
}
