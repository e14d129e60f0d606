package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
)

// auditCmd is `hikiai audit verify` and `hikiai audit export`.
func auditCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("audit: verify or export")
	}
	switch args[0] {
	case "verify":
		fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
		file := fs.String("file", "", "verify an exported JSON lines file instead of the store")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if fs.NArg() > 0 {
			return usageError("audit verify [--file EXPORT.jsonl]")
		}
		if *file != "" {
			return verifyAuditFile(*file, stdout)
		}
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		rep, err := adm.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		if rep.BrokenSeq != 0 {
			return fmt.Errorf("audit chain broken at record %d: %s (%d records before it verify)", rep.BrokenSeq, rep.Problem, rep.Records)
		}
		fmt.Fprintf(stdout, "audit chain intact: %d records, last seq %d, last hash %s\n", rep.Records, rep.LastSeq, rep.LastHash)
		return nil
	case "export":
		fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
		since := fs.String("since", "", "records at or after this date (YYYY-MM-DD) or RFC 3339 time; default: all")
		kind := fs.String("kind", "", "only records of this kind (screening, decision, ...)")
		format := fs.String("format", "jsonl", "csv or jsonl")
		out := fs.String("out", "", "write to this file (created 0600) instead of standard output")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if fs.NArg() > 0 {
			return usageError("audit export [--since DATE] [--kind KIND] [--format csv|jsonl] [--out FILE]")
		}
		f := screening.AuditFilter{Kind: *kind, Limit: 1000}
		if *since != "" {
			t, err := api.ParseSince(*since)
			if err != nil {
				return usageError("audit export: --since " + err.Error())
			}
			f.Since = t
		}
		if *format != "csv" && *format != "jsonl" {
			return usageError("audit export: --format must be csv or jsonl")
		}
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		n, err := exportAudit(ctx, adm, f, *format, *out, stdout)
		if err != nil {
			return err
		}
		if *out != "" {
			fmt.Fprintf(stdout, "exported %d audit records to %s\n", n, *out)
		}
		return nil
	}
	return usageError("audit: verify or export")
}

// exportAudit pages through the records matching f and writes them to out
// (a file, written beside and renamed so that a failed export leaves no half
// file) or to stdout.
func exportAudit(ctx context.Context, adm api.Admin, f screening.AuditFilter, format, out string, stdout io.Writer) (int, error) {
	w := stdout
	var tmp *os.File
	if out != "" {
		var err error
		tmp, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
		if err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		defer func() {
			if tmp != nil {
				tmp.Close()
				os.Remove(tmp.Name())
			}
		}()
		if err := tmp.Chmod(0o600); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		w = tmp
	}
	bw := bufio.NewWriter(w)
	write := writeJSONL
	if format == "csv" {
		cw := csv.NewWriter(bw)
		if err := cw.Write(auditCSVHeader); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		write = func(_ io.Writer, recs []screening.AuditRecord) error { return writeCSV(cw, recs) }
	}
	n := 0
	for {
		recs, err := adm.AuditRecords(ctx, f)
		if err != nil {
			return n, fmt.Errorf("export: read audit after %d: %w", f.AfterSeq, err)
		}
		if err := write(bw, recs); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		n += len(recs)
		if len(recs) < f.Limit {
			break
		}
		f.AfterSeq = recs[len(recs)-1].Seq
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp.Name(), out); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		tmp = nil
	}
	return n, nil
}

func writeJSONL(w io.Writer, recs []screening.AuditRecord) error { return api.WriteAuditJSONL(w, recs) }

var auditCSVHeader = []string{"seq", "at", "kind", "actor", "subject", "data", "prev_hash", "hash"}

func writeCSV(cw *csv.Writer, recs []screening.AuditRecord) error {
	for _, r := range recs {
		row := []string{strconv.FormatUint(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.Kind, r.Actor, r.Subject, string(r.Data), r.PrevHash, r.Hash}
		for i := range row {
			row[i] = csvSafe(row[i]) // screen_output.go: a leading = + - @ tab or CR gets an apostrophe
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// verifyAuditFile checks an exported JSON lines file. An export from --since
// starts in the middle of the chain, so its first record is trusted as given
// (its prev_hash can be compared with the live chain) and every link after it
// is checked.
func verifyAuditFile(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var (
		prev  *screening.AuditRecord
		first *screening.AuditRecord
		n     int
	)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var r screening.AuditRecord
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if first == nil {
			first = &r
			if r.Seq > 1 {
				prev = &screening.AuditRecord{Seq: r.Seq - 1, Hash: r.PrevHash}
			}
		}
		if _, err := screening.VerifyChain(prev, []screening.AuditRecord{r}); err != nil {
			return fmt.Errorf("%s line %d: audit chain broken at record %d: %v", path, line, positionAfter(prev), err)
		}
		prev = &r
		n++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if first == nil {
		return errors.New(path + ": no records")
	}
	if first.Seq == 1 {
		fmt.Fprintf(stdout, "%s: %d records verify from the start of the chain, seq 1 to %d, last hash %s\n", path, n, prev.Seq, prev.Hash)
		return nil
	}
	fmt.Fprintf(stdout, "%s: %d records verify, seq %d to %d; the first record's prev_hash %s must match the hash of record %d in the live chain\n",
		path, n, first.Seq, prev.Seq, first.PrevHash, first.Seq-1)
	return nil
}

func positionAfter(prev *screening.AuditRecord) uint64 {
	if prev == nil {
		return 1
	}
	return prev.Seq + 1
}
