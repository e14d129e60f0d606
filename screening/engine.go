package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// Check is one red flag. Each lives in its own file and reads its settings from
// its section of Settings.
type Check interface {
	// Code is the flag code the check raises (duplicate_inquiry, ...).
	Code() string
	// Run looks at the inquiry (and the history in in) and returns its flags.
	// An error means the check could not decide: the engine then never answers
	// proceed and says why in Result.Reasons.
	Run(ctx context.Context, in *Input) ([]Flag, error)
}

// Waiter is implemented by checks that may wait on I/O (the website check
// fetches pages). They run on goroutines of their own; the others, which
// only compute, run one after another on the caller's, since starting a
// goroutine per check for microseconds of work only crowded the scheduler
// at 1,000 screenings/s.
type Waiter interface {
	MayWait() bool
}

func mayWait(c Check) bool {
	w, ok := c.(Waiter)
	return ok && w.MayWait()
}

// Indexer is implemented by checks that compare across inquiries: History names
// the entries this inquiry adds to the shared history, each with the window the
// check wants to look at. The engine records them all in one step before any
// check runs, and hands back what other screenings recorded under the same keys.
type Indexer interface {
	History(in *Input) []HistoryEntry
}

// Input is what a check sees.
type Input struct {
	Inquiry     *Inquiry
	ScreeningID string
	KeyID       string
	ReceivedAt  time.Time // the inquiry's received_at, or the time it arrived
	Now         time.Time
	Settings    *Settings
	// CustomerKey is names.Key of the customer's name.
	CustomerKey string
	history     map[historyKey][]HistoryEntry
	// memo keeps what several checks derive from the same inquiry (folded
	// names, parsed contacts), so that each is worked out once per screening.
	// Nil (an Input built by hand) means no memo.
	memo *inputMemo
}

type inputMemo struct {
	mu       sync.Mutex
	nameKeys map[string]string
	contacts map[*Party][]contactValue
}

func newInputMemo() *inputMemo {
	return &inputMemo{nameKeys: map[string]string{}, contacts: map[*Party][]contactValue{}}
}

// NameKey is names.Key(name), worked out once per screening. Checks run
// concurrently, hence the lock.
func (in *Input) NameKey(name string) string {
	if in.memo == nil {
		return names.Key(name)
	}
	in.memo.mu.Lock()
	k, ok := in.memo.nameKeys[name]
	in.memo.mu.Unlock()
	if !ok {
		k = names.Key(name)
		in.memo.mu.Lock()
		in.memo.nameKeys[name] = k
		in.memo.mu.Unlock()
	}
	return k
}

// historyKey is a history kind and key: a pair, not a joined string, so that
// neither recording nor looking up allocates.
type historyKey struct{ kind, key string }

// Seen returns what other screenings recorded under kind and key, newest first,
// within the window the recording check asked for.
func (in *Input) Seen(kind, key string) []HistoryEntry {
	return in.history[historyKey{kind, key}]
}

// ListsInfo tells which list data screenings run against.
type ListsInfo interface {
	// Version is a combined version of every loaded list ("" when none are loaded).
	Version() string
}

// Engine screens inquiries: it validates, records history, runs the checks,
// scores, and stores the result with its case and audit record.
type Engine struct {
	Store    Store
	Checks   []Check
	Settings *Settings
	Lists    ListsInfo
	Now      func() time.Time
	Log      *slog.Logger
	// Timings, when set, hears how long each stage and each check took.
	Timings Timings
}

// Stage names a step of a screening that Timings hears about.
type Stage string

// The stages of a screening in the engine. The HTTP layer adds its own
// (decoding the inquiry, writing the answer) under the same metric.
const (
	// StageHistory records the inquiry's history entries, beside the look-up
	// of an earlier screening with the same reference.
	StageHistory Stage = "history"
	// StageChecks runs every check (the ones that may wait concurrently).
	StageChecks Stage = "checks"
	// StageSave stores the screening with its case and audit record.
	StageSave Stage = "save"
)

// Timings hears how long the stages of a screening and each check took, so
// that an operator can see where a slow answer spent its time. The engine
// times them on the monotonic clock, not with Now, which tests set.
type Timings interface {
	ObserveStage(stage Stage, d time.Duration)
	ObserveCheck(code string, d time.Duration)
}

// observeStage tells Timings how long stage took since start.
func (e *Engine) observeStage(stage Stage, start time.Time) {
	if e.Timings != nil {
		e.Timings.ObserveStage(stage, time.Since(start))
	}
}

// ScreenRequest is one inquiry to screen on behalf of an API key.
type ScreenRequest struct {
	KeyID   string
	Inquiry Inquiry
}

// Screen screens one inquiry. It returns the stored screening and whether it was
// created now (false: an idempotent repeat of an earlier request). Errors: EINVALID
// with the bad fields, ECONFLICT when the reference was used with another body,
// EUNAVAILABLE when the store cannot be reached.
func (e *Engine) Screen(ctx context.Context, req ScreenRequest) (*Screening, bool, error) {
	inq := req.Inquiry
	if err := inq.Validate(); err != nil {
		return nil, false, err
	}
	bodyHash := HashInquiry(&inq) // before received_at is defaulted, so a retry hashes the same
	now := e.Now().UTC()
	in := &Input{
		Inquiry:     &inq,
		ScreeningID: NewID("scr", now),
		KeyID:       req.KeyID,
		ReceivedAt:  inq.ReceivedAt.UTC(),
		Now:         now,
		Settings:    e.Settings,
		memo:        newInputMemo(),
	}
	in.CustomerKey = in.NameKey(inq.Customer.Name)
	if inq.ReceivedAt.IsZero() {
		in.ReceivedAt = now
	}
	// The look-up of an earlier screening with the same reference runs
	// beside the history step instead of before it: on Redis each is a
	// round trip that waits for an fsync turn, and most references are new.
	// A repeat (or a conflict) then forgets the history it recorded. Until
	// it does, a concurrent screening may see that history. For a repeat it
	// is the earlier screening's inquiry again (same reference, parties and
	// body), which the checks count once, so no finding changes. A
	// conflicting body may, for those milliseconds, show parties the
	// reference never got: a concurrent screening may then be flagged as
	// if a second inquiry had come, which a reviewer clears.
	var (
		prev     *Screening
		repeated bool
		repErr   error
		looked   sync.WaitGroup
	)
	started := time.Now()
	if inq.Reference != "" {
		looked.Go(func() { prev, repeated, repErr = e.repeat(ctx, req.KeyID, inq.Reference, bodyHash) })
	}
	entries, err := e.recordHistory(ctx, in)
	looked.Wait()
	e.observeStage(StageHistory, started)
	if repErr != nil || repeated {
		if err == nil {
			e.forget(entries)
		}
		return prev, false, repErr
	}
	if err != nil {
		return nil, false, err
	}
	started = time.Now()
	s := e.evaluate(ctx, in)
	e.observeStage(StageChecks, started)
	s.KeyID, s.BodyHash, s.CustomerKey, s.Inquiry = req.KeyID, bodyHash, in.CustomerKey, inq
	var c *Case
	if s.Action != ActionProceed {
		c = NewCase(s, now)
		s.CaseID = c.ID
	}
	audit := NewAuditRecord(now, AuditScreening, req.KeyID, s.ID, &screeningAudit{
		Action: s.Action, BodyHash: bodyHash, CaseID: s.CaseID, Customer: inq.Customer.Name,
		Flags: flagCodes(s.Flags), Level: s.Level, ListsVersion: s.ListsVersion,
		Reference: s.Reference, Score: s.Score,
	})
	started = time.Now()
	err = e.Store.SaveScreening(ctx, s, c, audit)
	e.observeStage(StageSave, started)
	if err != nil {
		e.forget(entries)
		if ErrorCode(err) == ECONFLICT && inq.Reference != "" {
			// Another request with the same reference won the race: answer as a repeat.
			if prev, ok, rerr := e.repeat(ctx, req.KeyID, inq.Reference, bodyHash); rerr != nil || ok {
				return prev, false, rerr
			}
		}
		return nil, false, fmt.Errorf("save screening: %w", err)
	}
	return s, true, nil
}

// screeningAudit is the data of a screening's audit record. Its fields are in
// the order of their JSON names, so it encodes to the same bytes as the map it
// replaced (encoding/json sorts map keys) at a fraction of the CPU: it is
// encoded once per screening.
type screeningAudit struct {
	Action       Action   `json:"action"`
	BodyHash     string   `json:"body_hash"`
	CaseID       string   `json:"case_id"`
	Customer     string   `json:"customer"`
	Flags        []string `json:"flags"`
	Level        Level    `json:"level"`
	ListsVersion string   `json:"lists_version"`
	Reference    string   `json:"reference"`
	Score        int      `json:"score"`
}

// repeat looks for an earlier screening with the same key and reference.
func (e *Engine) repeat(ctx context.Context, keyID, ref, bodyHash string) (*Screening, bool, error) {
	prev, err := e.Store.ScreeningByReference(ctx, keyID, ref)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("look up reference: %w", err)
	case prev.BodyHash != bodyHash:
		return nil, false, &Error{Code: ECONFLICT, Message: fmt.Sprintf("reference %q was already used with a different inquiry (screening %s)", ref, prev.ID),
			Fields: map[string]string{"reference": "already used with a different body"}}
	}
	return prev, true, nil
}

// recordHistory gathers the entries every indexing check wants, plus one
// counterparty entry per named party, and records them in one step.
func (e *Engine) recordHistory(ctx context.Context, in *Input) ([]HistoryEntry, error) {
	// Sized once: a screening records about ten entries, and growing by
	// doubling copied each of them several times.
	entries := make([]HistoryEntry, 0, 16)
	seen := make(map[historyKey]bool, 16)
	add := func(h HistoryEntry) {
		k := historyKey{h.Kind, h.Key}
		if h.Key == "" || seen[k] {
			return
		}
		seen[k] = true
		h.ScreeningID, h.Reference, h.At = in.ScreeningID, in.Inquiry.Reference, in.ReceivedAt
		entries = append(entries, h)
	}
	for _, p := range in.Inquiry.Parties() {
		nk := in.NameKey(p.Party.Name)
		add(HistoryEntry{Kind: HistoryCounterparty, Key: nk, Party: p.Role,
			Name: p.Party.Name, NameKey: nk, Country: p.Party.Country, Window: 24 * time.Hour})
	}
	for _, c := range e.Checks {
		if ix, ok := c.(Indexer); ok {
			for _, h := range ix.History(in) {
				add(h)
			}
		}
	}
	found, err := e.Store.RecordHistory(ctx, entries, e.Settings.Scoring.HistoryLimit)
	if err != nil {
		return nil, fmt.Errorf("record history: %w", err)
	}
	in.history = make(map[historyKey][]HistoryEntry, len(entries))
	for i, h := range entries {
		if i < len(found) {
			in.history[historyKey{h.Kind, h.Key}] = found[i]
		}
	}
	return entries, nil
}

// forget removes history a screening recorded but could not save. It runs on a
// fresh context: the request's may be the reason the save failed.
func (e *Engine) forget(entries []HistoryEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Store.ForgetHistory(ctx, entries); err != nil {
		e.Log.Warn("forget history of failed screening", slog.Any("err", err), slog.Int("entries", len(entries)))
	}
}

// evaluate runs every check and grades the result. Checks that may wait
// run concurrently with the rest.
func (e *Engine) evaluate(ctx context.Context, in *Input) *Screening {
	type outcome struct {
		flags []Flag
		err   error
	}
	outcomes := make([]outcome, len(e.Checks))
	ctx, cancel := context.WithTimeout(ctx, e.Settings.Scoring.CheckTimeout)
	defer cancel()
	run := func(i int, c Check) {
		defer func() {
			if r := recover(); r != nil {
				outcomes[i].err = fmt.Errorf("check %s panicked: %v", c.Code(), r)
			}
		}()
		var started time.Time
		if e.Timings != nil {
			started = time.Now()
		}
		outcomes[i].flags, outcomes[i].err = c.Run(ctx, in)
		if e.Timings != nil {
			e.Timings.ObserveCheck(c.Code(), time.Since(started))
		}
	}
	var wg sync.WaitGroup
	for i, c := range e.Checks {
		if mayWait(c) {
			wg.Go(func() { run(i, c) })
		}
	}
	for i, c := range e.Checks {
		if !mayWait(c) {
			run(i, c)
		}
	}
	wg.Wait()

	s := &Screening{Result: Result{ID: in.ScreeningID, Reference: in.Inquiry.Reference, ScreenedAt: in.Now, Flags: []Flag{}}}
	if e.Lists != nil {
		s.ListsVersion = e.Lists.Version()
	}
	block := false
	for i, o := range outcomes {
		if o.err != nil {
			e.Log.Warn("check could not run", slog.String("check", e.Checks[i].Code()), slog.Any("err", o.err), slog.String("screening", in.ScreeningID))
			s.Reasons = append(s.Reasons, fmt.Sprintf("%s: %s", e.Checks[i].Code(), ReasonOf(o.err)))
		}
		for _, f := range o.flags {
			if f.Evidence == nil {
				f.Evidence = map[string]any{}
			}
			s.Flags = append(s.Flags, f)
			if !f.Suppressed {
				s.Score += f.Points
				block = block || f.Block
			}
		}
	}
	sort.SliceStable(s.Flags, func(i, j int) bool { return s.Flags[i].Points > s.Flags[j].Points })
	s.Score = min(max(s.Score, 0), 100)
	s.Level, s.Action = e.Settings.Scoring.Grade(s.Score)
	if block {
		s.Level, s.Action = LevelHigh, ActionBlock
	}
	if len(s.Reasons) > 0 && s.Action == ActionProceed {
		s.Action = ActionReview // a check that could not decide never lets an inquiry through
	}
	return s
}

// Degraded is returned by a check that ran but lacked data it needs (lists not
// loaded, website check timed out); Reason is shown to the caller.
type Degraded struct{ Reason string }

func (d *Degraded) Error() string { return d.Reason }

// ReasonOf gives the caller-facing reason of a check error.
func ReasonOf(err error) string {
	var d *Degraded
	if errors.As(err, &d) {
		return d.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return "could not run"
}

// NewCase opens a case for a held screening.
func NewCase(s *Screening, now time.Time) *Case {
	return &Case{
		ID: NewID("case", now), ScreeningID: s.ID, Status: CaseOpen, Level: s.Level, Action: s.Action,
		Score: s.Score, Customer: s.Inquiry.Customer.Name, CustomerKey: s.CustomerKey,
		FlagCodes: flagCodes(s.Flags), KeyID: s.KeyID, CreatedAt: now, UpdatedAt: now,
	}
}

func flagCodes(fs []Flag) []string {
	out := make([]string, 0, len(fs))
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.Code] && !f.Suppressed {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	return out
}

// HashInquiry is the idempotency hash of an inquiry: SHA-256 of its canonical
// JSON (fixed field order, sorted map keys) after validation's normalisation.
func HashInquiry(in *Inquiry) string {
	b, err := json.Marshal(in)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
