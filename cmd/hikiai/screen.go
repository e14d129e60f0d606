package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

const screenUsage = `usage: hikiai screen --in FILE [--out FILE] [flags]

Screens every inquiry of a CSV file (one row per inquiry; the first row names
the columns, in English or Japanese: see cmd/hikiai/SCREEN.md) or of a JSON lines
file (one POST /v1/screenings body per line). Locally on the data dir by default,
or through a running server with --server and --key. Bad rows are reported on
standard error with their line and field; good rows are still written; the exit
status is 1 when any row was bad.

flags:
`

// screenOptions are the command line of `hikiai screen`.
type screenOptions struct {
	in, out           string
	inFormat          string // csv, jsonl or auto
	outFormat         string
	encoding          string
	ignoreUnknown     bool
	concurrency       int
	batchSize         int
	server, key       string
	keyFile           string
	lang              string
	quiet             bool
	progressEvery     time.Duration // plain progress lines (not a terminal)
	keyID             string        // local mode: the key id screenings are recorded under
	maxConsecFailures int
}

func parseScreenFlags(args []string, stderr io.Writer) (*screenOptions, error) {
	o := &screenOptions{}
	fs := flag.NewFlagSet("screen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, screenUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.in, "in", "", "input file, .csv or .jsonl (- for standard input)")
	fs.StringVar(&o.out, "out", "-", "output file, .jsonl or .csv (- for standard output)")
	fs.StringVar(&o.inFormat, "in-format", "auto", "csv, jsonl, or auto (by extension, else by the first character)")
	fs.StringVar(&o.outFormat, "out-format", "auto", "jsonl, csv, or auto (by extension; standard output gets jsonl)")
	fs.StringVar(&o.encoding, "encoding", "auto", "CSV encoding: auto (UTF-8, else Shift_JIS), utf-8 or shift_jis")
	fs.BoolVar(&o.ignoreUnknown, "ignore-unknown-columns", false, "skip CSV columns whose header is not known instead of stopping")
	fs.IntVar(&o.concurrency, "concurrency", 8, "inquiries (local) or batches (--server) screened at once")
	fs.IntVar(&o.batchSize, "batch-size", 100, "inquiries per request with --server (1-1000)")
	fs.StringVar(&o.server, "server", "", "screen through a running server at this URL (http://127.0.0.1:8080) instead of the local data dir")
	fs.StringVar(&o.key, "key", "", "API key for --server (role sales, erp or admin); prefer --key-file, which keeps it out of the process list")
	fs.StringVar(&o.keyFile, "key-file", "", "file holding the API key for --server")
	fs.StringVar(&o.lang, "lang", "en", "en or ja: CSV output headers and flag messages")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress display")
	fs.DurationVar(&o.progressEvery, "progress-every", 5*time.Second, "interval of progress lines when standard error is not a terminal")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return nil, usageError(fmt.Sprintf("screen: unexpected argument %q (the input is given with --in)", fs.Arg(0)))
	}
	switch {
	case o.in == "":
		return nil, usageError("screen: --in FILE is required")
	case o.concurrency < 1 || o.concurrency > 256:
		return nil, usageError("screen: --concurrency must be from 1 to 256")
	case o.batchSize < 1 || o.batchSize > maxBatch:
		return nil, usageError(fmt.Sprintf("screen: --batch-size must be from 1 to %d", maxBatch))
	case o.lang != "en" && o.lang != "ja":
		return nil, usageError("screen: --lang must be en or ja")
	case o.progressEvery <= 0:
		return nil, usageError("screen: --progress-every must be positive")
	case o.server == "" && (o.key != "" || o.keyFile != ""):
		return nil, usageError("screen: --key and --key-file go with --server")
	case o.key != "" && o.keyFile != "":
		return nil, usageError("screen: give --key or --key-file, not both")
	}
	for _, f := range []struct{ name, v string }{{"--in-format", o.inFormat}, {"--out-format", o.outFormat}} {
		if f.v != "auto" && f.v != "csv" && f.v != "jsonl" {
			return nil, usageError(fmt.Sprintf("screen: %s must be csv, jsonl or auto", f.name))
		}
	}
	if o.server != "" {
		if o.keyFile != "" {
			b, err := os.ReadFile(o.keyFile)
			if err != nil {
				return nil, fmt.Errorf("--key-file: %w", err)
			}
			o.key = strings.TrimSpace(string(b))
		}
		if o.key == "" {
			return nil, usageError("screen: --server needs --key or --key-file")
		}
	}
	o.keyID = "cli"
	o.maxConsecFailures = 50
	return o, nil
}

// maxBatch is the most inquiries one POST /v1/screenings:batch takes.
const maxBatch = 1000

// screenCmd is `hikiai screen`.
func screenCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	o, err := parseScreenFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	prog := newProgress(stderr, isTerminal(stderr), 0, time.Now)
	prog.hidden = o.quiet
	if !prog.tty {
		prog.every = o.progressEvery
	}

	// The screener first: a store in use or a server that refuses the key should
	// stop the command before it reads anything.
	var scr screener
	if o.server != "" {
		rs, err := newRemoteScreener(ctx, o.server, o.key, o.concurrency)
		if err != nil {
			return err
		}
		scr = rs
	} else {
		settings, err := rules.Load(cfg.RulesDir)
		if err != nil {
			return err
		}
		b, err := openBackend(ctx, cfg, log, 500*time.Millisecond)
		if errors.Is(err, boltstore.ErrLocked) {
			return fmt.Errorf("the embedded store %s is held by a running `hikiai serve`; screen through that server instead:\n  hikiai screen --server http://%s --key-file KEYFILE --in %s\n(%w)",
				storePath(cfg), cfg.Addr, o.in, err)
		}
		if err != nil {
			return err
		}
		defer func() {
			if err := b.close(); err != nil {
				log.Error("close store", slog.Any("err", err))
			}
		}()
		// The engine's warnings ("check could not run") repeat for every row when
		// list data is missing: show a few, then count them.
		quiet := newRepeatLimitHandler(log.Handler(), 3, prog)
		defer quiet.summarise()
		svc, err := buildService(ctx, cfg, slog.New(quiet), settings, b)
		if err != nil {
			return err
		}
		defer svc.shutdown()
		scr = &localScreener{engine: svc.engine, keyID: o.keyID}
	}

	in, inName, total, err := openScreenInput(o)
	if err != nil {
		return err
	}
	defer in.Close()
	rows, err := newRowReader(in, o)
	if err != nil {
		return fmt.Errorf("%s: %w", inName, err)
	}
	prog.total = total

	out, closeOut, err := openScreenOutput(o, stdout)
	if err != nil {
		return err
	}
	sum, runErr := runScreen(ctx, o, rows, scr, out, prog)
	if err := closeOut(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write %s: %w", o.out, err)
	}
	prog.finish()
	fmt.Fprintln(stderr, sum.String())
	if runErr != nil {
		return runErr
	}
	if sum.invalid > 0 || sum.failed > 0 {
		return fmt.Errorf("%d invalid and %d failed of %d rows (each is reported above with its line)", sum.invalid, sum.failed, sum.rows)
	}
	return nil
}

// openScreenInput opens --in and counts its rows when it is a regular file, so
// that the progress display can show an ETA.
func openScreenInput(o *screenOptions) (io.ReadCloser, string, int, error) {
	if o.in == "-" {
		return io.NopCloser(os.Stdin), "standard input", 0, nil
	}
	f, err := os.Open(o.in)
	if err != nil {
		return nil, "", 0, fmt.Errorf("--in: %w", err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return f, o.in, 0, nil
	}
	total, err := countRows(f, o)
	if err != nil {
		total = 0 // the real read reports the problem with its line
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, "", 0, fmt.Errorf("--in: %w", err)
	}
	return f, o.in, total, nil
}

// countRows counts the non-blank rows (CSV records after the header, or JSON
// lines) of the input.
func countRows(f io.Reader, o *screenOptions) (int, error) {
	br := bufio.NewReaderSize(f, 256<<10)
	format, err := inputFormat(o, br)
	if err != nil {
		return 0, err
	}
	n := 0
	if format == "jsonl" {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if len(strings.TrimSpace(sc.Text())) > 0 {
				n++
			}
		}
		return n, sc.Err()
	}
	dec, err := decodeInput(br, o.encoding)
	if err != nil {
		return 0, err
	}
	cr := csv.NewReader(dec)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return max(n-1, 0), nil // less the header
		}
		if err == nil && blank(rec) {
			continue
		}
		n++ // a malformed record is a row too: it is reported
	}
}

// inputFormat decides csv or jsonl: the flag, then the extension, then the
// first non-space character ({ is JSON).
func inputFormat(o *screenOptions, br *bufio.Reader) (string, error) {
	if o.inFormat != "auto" {
		return o.inFormat, nil
	}
	switch strings.ToLower(filepath.Ext(o.in)) {
	case ".csv", ".tsv", ".txt":
		return "csv", nil
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	}
	head, _ := br.Peek(4096)
	head = []byte(strings.TrimLeft(strings.TrimPrefix(string(head), "\ufeff"), " \t\r\n"))
	if len(head) > 0 && head[0] == '{' {
		return "jsonl", nil
	}
	return "csv", nil
}

func newRowReader(in io.Reader, o *screenOptions) (rowReader, error) {
	br := bufio.NewReaderSize(in, 256<<10)
	format, err := inputFormat(o, br)
	if err != nil {
		return nil, err
	}
	if format == "jsonl" {
		return newJSONLinesReader(br), nil
	}
	dec, err := decodeInput(br, o.encoding)
	if err != nil {
		return nil, err
	}
	return newCSVReader(dec, o.ignoreUnknown)
}

// openScreenOutput creates --out (truncating it) and picks the writer.
func openScreenOutput(o *screenOptions, stdout io.Writer) (resultWriter, func() error, error) {
	format := o.outFormat
	if format == "auto" {
		format = "jsonl"
		if strings.EqualFold(filepath.Ext(o.out), ".csv") {
			format = "csv"
		}
	}
	var w io.Writer = stdout
	closeFile := func() error { return nil }
	if o.out != "-" {
		if o.in != "-" && sameFile(o.in, o.out) {
			return nil, nil, usageError("screen: --out is the input file")
		}
		f, err := os.OpenFile(o.out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("--out: %w", err)
		}
		w, closeFile = f, f.Close
	}
	var rw resultWriter
	if format == "csv" {
		rw = newCSVResultWriter(w, o.lang == "ja")
	} else {
		rw = newJSONLinesWriter(w)
	}
	return rw, func() error { return errors.Join(rw.Close(), closeFile()) }, nil
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// ---- the pipeline ----

// screener screens the good rows of a chunk, filling c.out. It returns an error
// only when the whole run must stop (the server refuses the key).
type screener interface {
	screen(ctx context.Context, c *chunk) error
	// chunkSize is how many rows one call takes (one request to a server).
	chunkSize(o *screenOptions) int
}

// chunk is a run of consecutive rows, screened together and written in order.
type chunk struct {
	seq  int
	rows []*inputRow
	out  []outcome
}

// outcome is what became of one row.
type outcome struct {
	res     *screened
	err     error // the row's error: *screening.Error (invalid, conflict, ...) or another
	skipped bool  // not screened: the run was stopped first
}

// screenSummary counts the rows by what became of them.
type screenSummary struct {
	rows, created, repeats, invalid, failed, skipped int
	byAction                                         map[screening.Action]int
	elapsed                                          time.Duration
}

func (s *screenSummary) String() string {
	rate := 0.0
	if s.elapsed > 0 {
		rate = float64(s.rows) / s.elapsed.Seconds()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows in %s (%.0f rows/s): ", s.rows, s.elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(&b, "proceed %d, review %d, block %d", s.byAction[screening.ActionProceed], s.byAction[screening.ActionReview], s.byAction[screening.ActionBlock])
	fmt.Fprintf(&b, " (%d new, %d repeats of an earlier reference); invalid %d, failed %d", s.created, s.repeats, s.invalid, s.failed)
	if s.skipped > 0 {
		fmt.Fprintf(&b, ", not screened %d (stopped)", s.skipped)
	}
	return b.String()
}

// runScreen reads rows, screens them concurrently in chunks and writes the
// results in input order. Every bad row is reported through prog.
func runScreen(ctx context.Context, o *screenOptions, rows rowReader, scr screener, out resultWriter, prog *progress) (*screenSummary, error) {
	start := time.Now()
	sum := &screenSummary{byAction: map[screening.Action]int{}}
	g, gctx := errgroup.WithContext(ctx)
	size := scr.chunkSize(o)
	// window bounds the chunks between reading and writing, so that one slow
	// chunk cannot make the others pile up in memory.
	window := make(chan struct{}, 2*o.concurrency+2)
	todo := make(chan *chunk)
	done := make(chan *chunk)
	var failStreak atomic.Int64

	g.Go(func() error {
		defer close(todo)
		seq := 0
		for {
			c := &chunk{seq: seq}
			for len(c.rows) < size {
				r, err := rows.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return err
				}
				c.rows = append(c.rows, r)
			}
			if len(c.rows) == 0 {
				return nil
			}
			c.out = make([]outcome, len(c.rows))
			select {
			case window <- struct{}{}:
			case <-gctx.Done():
				return nil
			}
			select {
			case todo <- c:
			case <-gctx.Done():
				return nil
			}
			seq++
			if len(c.rows) < size {
				return nil
			}
		}
	})
	var workers sync.WaitGroup
	for range o.concurrency {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for c := range todo {
				if err := scr.screen(gctx, c); err != nil {
					// Hand the chunk on so the writer can release its slot, then stop.
					markSkipped(c)
					done <- c
					return err
				}
				if n := streakOf(c, &failStreak); n >= int64(o.maxConsecFailures) {
					done <- c
					return fmt.Errorf("stopping after %d failures in a row; the last: %v", n, lastFailure(c))
				}
				done <- c
			}
			return nil
		})
	}
	go func() {
		workers.Wait()
		close(done)
	}()

	// The writer: chunks come back in any order and leave in input order.
	pending := map[int]*chunk{}
	next := 0
	var writeErr error
	for c := range done {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if writeErr == nil {
				writeErr = writeChunk(c, out, sum, prog)
				if writeErr != nil {
					writeErr = fmt.Errorf("write %s: %w", o.out, writeErr)
				}
			}
			<-window
		}
	}
	// Chunks after a gap (a worker stopped the run) were screened but cannot be
	// written in order; they still count.
	seqs := make([]int, 0, len(pending))
	for s := range pending {
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	for _, s := range seqs {
		if writeErr == nil {
			writeErr = writeChunk(pending[s], out, sum, prog)
		}
	}
	err := g.Wait()
	sum.elapsed = time.Since(start)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if err == nil {
		err = writeErr
	}
	return sum, err
}

func markSkipped(c *chunk) {
	for i := range c.out {
		if c.out[i].res == nil && c.out[i].err == nil {
			c.out[i].skipped = true
		}
	}
}

// streakOf updates the count of rows in a row that failed for a reason other
// than their own content (store or server unavailable) and returns it.
func streakOf(c *chunk, streak *atomic.Int64) int64 {
	for _, oc := range c.out {
		switch {
		case oc.res != nil:
			streak.Store(0)
		case oc.err != nil && isOutageError(oc.err):
			streak.Add(1)
		}
	}
	return streak.Load()
}

func isOutageError(err error) bool {
	code := screening.ErrorCode(err)
	return code == screening.EUNAVAILABLE || code == screening.EINTERNAL
}

func lastFailure(c *chunk) error {
	for i := len(c.out) - 1; i >= 0; i-- {
		if c.out[i].err != nil {
			return c.out[i].err
		}
	}
	return nil
}

// writeChunk writes a chunk's results, reports its bad rows and counts them.
func writeChunk(c *chunk, out resultWriter, sum *screenSummary, prog *progress) error {
	for i, oc := range c.out {
		row := c.rows[i]
		sum.rows++
		switch {
		case oc.skipped:
			sum.skipped++
		case oc.err != nil:
			if screening.ErrorCode(oc.err) == screening.EINVALID {
				sum.invalid++
			} else {
				sum.failed++
			}
			reportRow(prog, row, oc.err)
		case oc.res != nil:
			oc.res.Line = row.Line
			oc.res.Customer = row.Inquiry.Customer.Name
			if err := out.Write(oc.res); err != nil {
				return err
			}
			sum.byAction[oc.res.Result.Action]++
			if oc.res.Status == 201 {
				sum.created++
			} else {
				sum.repeats++
			}
		}
	}
	prog.add(len(c.out))
	return nil
}

// reportRow writes one line per bad field: "line 7: items[0].quantity (column
// 数量): must be a positive number".
func reportRow(prog *progress, row *inputRow, err error) {
	var e *screening.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		prog.printf("line %d: %s\n", row.Line, err)
		return
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		col := ""
		if row.columnOf != nil {
			if h := row.columnOf(k); h != "" && h != k {
				col = fmt.Sprintf(" (column %s)", h)
			}
		}
		prog.printf("line %d: %s%s: %s\n", row.Line, k, col, e.Fields[k])
	}
}

// ---- local mode ----

// localScreener runs the engine in this process on the configured store.
type localScreener struct {
	engine *screening.Engine
	keyID  string
}

func (l *localScreener) chunkSize(*screenOptions) int { return 8 }

func (l *localScreener) screen(ctx context.Context, c *chunk) error {
	for i, row := range c.rows {
		if row.Err != nil {
			c.out[i].err = row.Err
			continue
		}
		if ctx.Err() != nil {
			c.out[i].skipped = true
			continue
		}
		s, created, err := l.engine.Screen(ctx, screening.ScreenRequest{KeyID: l.keyID, Inquiry: row.Inquiry})
		switch {
		case err != nil && ctx.Err() != nil:
			c.out[i].skipped = true
		case err != nil:
			c.out[i].err = err
		default:
			status := 200
			if created {
				status = 201
			}
			c.out[i].res = &screened{Status: status, Result: s.Result}
		}
	}
	return nil
}

// ---- logging ----

// repeatLimitHandler passes the first few records of each message and counts
// the rest, so that a warning the engine logs for every row (lists not loaded)
// does not bury the progress display and the bad-row reports.
type repeatLimitHandler struct {
	next  slog.Handler
	limit int
	prog  *progress
	state *repeatState
}

type repeatState struct {
	mu     sync.Mutex
	counts map[string]int
}

func newRepeatLimitHandler(next slog.Handler, limit int, prog *progress) *repeatLimitHandler {
	return &repeatLimitHandler{next: next, limit: limit, prog: prog, state: &repeatState{counts: map[string]int{}}}
}

func (h *repeatLimitHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *repeatLimitHandler) Handle(ctx context.Context, r slog.Record) error {
	h.state.mu.Lock()
	h.state.counts[r.Message]++
	n := h.state.counts[r.Message]
	h.state.mu.Unlock()
	if n > h.limit {
		return nil
	}
	// Under the display's lock, so that the record does not land inside the bar.
	h.prog.mu.Lock()
	defer h.prog.mu.Unlock()
	h.prog.clear()
	return h.next.Handle(ctx, r)
}

func (h *repeatLimitHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &repeatLimitHandler{next: h.next.WithAttrs(as), limit: h.limit, prog: h.prog, state: h.state}
}

func (h *repeatLimitHandler) WithGroup(name string) slog.Handler {
	return &repeatLimitHandler{next: h.next.WithGroup(name), limit: h.limit, prog: h.prog, state: h.state}
}

// summarise logs how many records of each message were held back.
func (h *repeatLimitHandler) summarise() {
	h.state.mu.Lock()
	defer h.state.mu.Unlock()
	for msg, n := range h.state.counts {
		if n > h.limit {
			r := slog.NewRecord(time.Now(), slog.LevelWarn, "repeated log message held back", 0)
			r.AddAttrs(slog.String("message", msg), slog.Int("times", n-h.limit))
			_ = h.next.Handle(context.Background(), r)
		}
	}
}
