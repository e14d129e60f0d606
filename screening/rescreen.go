package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// Rescreener screens known counterparties again when lists change, against
// the added and changed entries only (delta screening), so a party that was
// clean yesterday and is listed today is caught without a new inquiry.
type Rescreener struct {
	Store    Store
	Settings *Settings
	Now      func() time.Time
	Log      *slog.Logger
	// Window: counterparties seen within it are re-screened (default 365 days).
	Window time.Duration
	// Workers bounds the concurrent searches (default 4).
	Workers int
	// Pace, when set, is called before each counterparty and may sleep:
	// the service answers screenings meanwhile, as with Lists.Pace. The
	// counterparties are then screened one at a time.
	Pace func()
}

// RescreenKeyID is the actor of re-screenings in screenings, cases and the audit trail.
const RescreenKeyID = "system:rescreen"

// RescreenReport says what one run did.
type RescreenReport struct {
	DeltaEntries   int `json:"delta_entries"`
	Counterparties int `json:"counterparties"`
	Hits           int `json:"hits"`
	Cases          int `json:"cases"`
	// Known counts counterparties whose every live hit is already held in an
	// open, escalated or rejected case: a list entry that changed (an address,
	// a programme) must not hand the reviewers the same party twice.
	Known    int           `json:"known"`
	Duration time.Duration `json:"duration"`
}

// Run screens every counterparty seen within the window against delta (entries
// of next that are new or changed). A hit that is not suppressed becomes a new
// screening with a case and an audit record of kind rescreen, unless every such
// hit of the counterparty is already held in an undecided or rejected case
// (Known); running again for the same delta creates nothing twice (the
// screening's reference is derived from the delta and the counterparty) and
// does not report a counterparty it already re-screened as held. (A
// counterparty found held by an older case is reported again: that record is
// not keyed.)
func (r *Rescreener) Run(ctx context.Context, next *ListSet, delta []Entry) (RescreenReport, error) {
	start := time.Now()
	rep := RescreenReport{DeltaEntries: len(delta)}
	if len(delta) == 0 {
		return rep, nil
	}
	// The delta's own index and its fingerprint are made when the first
	// counterparty comes (a first import into a store with no screenings has
	// none); the index paced like a reload, and from the analysis next made
	// of any source that changed whole. At 1,000,000 new entries they took
	// 36 s of a core, unpaced, beside live screenings (BENCHMARKS.md).
	type prepared struct {
		set *ListSet
		id  string
	}
	prepare := sync.OnceValues(func() (prepared, error) {
		set, err := r.deltaSet(ctx, next, delta)
		if err != nil {
			return prepared{}, fmt.Errorf("index the changed entries: %w", err)
		}
		return prepared{set, deltaFingerprint(delta)}, nil
	})
	check := NewDeniedPartyCheck(r.Settings.DeniedParty, nil, r.Store)

	window := r.Window
	if window <= 0 {
		window = 365 * 24 * time.Hour
	}
	workers := r.Workers
	if workers <= 0 {
		workers = 4
	}
	if r.Pace != nil {
		workers = 1
	}
	jobs := make(chan HistoryEntry, workers*4)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for h := range jobs {
				if r.Pace != nil {
					r.Pace()
				}
				d, err := prepare()
				var o outcome
				if err == nil {
					o, err = r.one(ctx, check, d.set, d.id, next.Version, h)
				}
				mu.Lock()
				rep.Hits += o.hits
				rep.Cases += o.cases
				rep.Known += o.known
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	err := r.Store.SeenCounterparties(ctx, r.Now().Add(-window), func(h HistoryEntry) error {
		rep.Counterparties++
		select {
		case jobs <- h:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	rep.Duration = time.Since(start)
	if err == nil {
		err = firstErr
	}
	if err != nil {
		return rep, fmt.Errorf("rescreen: %w", err)
	}
	return rep, nil
}

// deltaSet indexes the changed entries for Run. A source all of whose
// entries in next are in delta is taken from next with the analysis it has;
// the others are analysed anew. The build is paced by r.Pace when set, and
// given up when ctx ends.
func (r *Rescreener) deltaSet(ctx context.Context, next *ListSet, delta []Entry) (*ListSet, error) {
	bySource := map[string][]Entry{}
	for _, e := range delta {
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	parts := make([]listPart, 0, len(bySource))
	whole := 0
	for src, es := range bySource {
		meta := ListSnapshot{Source: src, Version: next.SourceVersion(src)}
		if lo, hi, ok := next.sourceRange(src); ok && wholeSource(next, es, hi-lo) {
			parts = append(parts, listPart{snap: meta, from: next, lo: lo, hi: hi})
			whole++
			continue
		}
		meta.Entries = es
		parts = append(parts, listPart{snap: meta})
	}
	if whole == len(parts) && whole == len(next.Sources) {
		// Every entry changed (the first import into a store that has
		// screenings, or lists imported while the service was stopped and
		// never re-screened): the delta is next itself.
		return next, nil
	}
	pace := func() error {
		if r.Pace != nil {
			r.Pace()
		}
		return ctx.Err()
	}
	return buildListSet(parts, r.Now(), pace, nil)
}

// wholeSource reports whether es, the delta's entries of one source, are
// every one of the n entries next holds of it: n different keys, each in next.
func wholeSource(next *ListSet, es []Entry, n int) bool {
	if len(es) != n {
		return false
	}
	seen := make(map[string]struct{}, len(es))
	for i := range es {
		k := es[i].Key()
		if _, dup := seen[k]; dup {
			return false
		}
		if _, ok := next.entries.index(k); !ok { // not next.Entry: no decoding
			return false
		}
		seen[k] = struct{}{}
	}
	return true
}

// outcome is what one counterparty's re-screening did.
type outcome struct{ hits, cases, known int }

// one screens one counterparty against the delta.
func (r *Rescreener) one(ctx context.Context, check *DeniedPartyCheck, deltaSet *ListSet, deltaID, listsVersion string, h HistoryEntry) (outcome, error) {
	party := Party{Name: h.Name, Country: h.Country}
	flags, err := check.partyFlags(ctx, deltaSet, RoledParty{Role: h.Party, Party: &party})
	if err != nil || len(flags) == 0 {
		return outcome{}, err
	}
	o := outcome{hits: len(flags)}
	var live []Flag
	for _, f := range flags {
		if !f.Suppressed {
			live = append(live, f)
		}
	}
	if len(live) == 0 {
		return o, nil
	}
	// A run of the same delta that was cut short (a restart, a deploy) or
	// another replica's may have screened this counterparty already: its
	// case would now count as holding the hit, and the trail would tell the
	// finding twice.
	ref := "rescreen-" + deltaID + "-" + shortHash(h.Key)
	switch _, err := r.Store.ScreeningByReference(ctx, RescreenKeyID, ref); {
	case err == nil:
		return o, nil
	case ErrorCode(err) != ENOTFOUND:
		return o, fmt.Errorf("read re-screening %s of %q: %w", ref, h.Name, err)
	}
	prev, err := r.Store.Screening(ctx, h.ScreeningID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		prev = nil // pruned or never saved: the re-screening stands alone
	case err != nil:
		return o, fmt.Errorf("read screening %s of %q: %w", h.ScreeningID, h.Name, err)
	}
	held, err := r.heldEntries(ctx, h, prev)
	if err != nil {
		return o, err
	}
	now := r.Now().UTC()
	if caseID, ok := allHeld(live, held); ok {
		o.known = 1
		audit := NewAuditRecord(now, AuditRescreenHeld, RescreenKeyID, caseID, map[string]any{
			"counterparty": h.Name, "counterparty_key": h.Key, "party": h.Party, "previous_screening": h.ScreeningID,
			"entries": entryKeys(live), "case_id": caseID, "lists_version": listsVersion, "delta": deltaID,
		})
		if _, err := r.Store.AppendAudit(ctx, audit); err != nil {
			return o, fmt.Errorf("audit re-screening of %q held in case %s: %w", h.Name, caseID, err)
		}
		if r.Log != nil {
			r.Log.Info("re-screening hit already held", slog.String("counterparty", h.Name), slog.String("case", caseID))
		}
		return o, nil
	}
	s := &Screening{
		Result: Result{ID: NewID("scr", now), Reference: ref, Flags: flags, ListsVersion: listsVersion, ScreenedAt: now,
			Reasons: []string{fmt.Sprintf("re-screened after a list change: the %s %q was seen in screening %s", h.Party, h.Name, h.ScreeningID)}},
		KeyID: RescreenKeyID, CustomerKey: h.Key,
		Inquiry: Inquiry{Reference: ref, Customer: party, ReceivedAt: now,
			Items: []Item{{Description: "re-screening of a known counterparty", Quantity: 1}}},
	}
	if prev != nil {
		s.Inquiry = prev.Inquiry
		s.Inquiry.Reference = ref
	}
	s.BodyHash = HashInquiry(&s.Inquiry)
	block := false
	for _, f := range flags {
		if !f.Suppressed {
			s.Score += f.Points
			block = block || f.Block
		}
	}
	sort.SliceStable(s.Flags, func(i, j int) bool { return s.Flags[i].Points > s.Flags[j].Points })
	s.Score = min(s.Score, 100)
	s.Level, s.Action = r.Settings.Scoring.Grade(s.Score)
	if block {
		s.Level, s.Action = LevelHigh, ActionBlock
	}
	if s.Action == ActionProceed {
		s.Action = ActionReview // a new list hit always goes to a person
	}
	c := NewCase(s, now)
	s.CaseID = c.ID
	audit := NewAuditRecord(now, AuditRescreen, RescreenKeyID, s.ID, map[string]any{
		"counterparty": h.Name, "counterparty_key": h.Key, "party": h.Party, "previous_screening": h.ScreeningID,
		"entries": entryKeys(flags), "score": s.Score, "action": s.Action, "case_id": c.ID, "lists_version": listsVersion,
	})
	switch err := r.Store.SaveScreening(ctx, s, c, audit); {
	case ErrorCode(err) == ECONFLICT:
		return o, nil // this delta already re-screened this counterparty
	case err != nil:
		return o, fmt.Errorf("save re-screening of %q: %w", h.Name, err)
	}
	if r.Log != nil {
		r.Log.Info("re-screening hit", slog.String("counterparty", h.Name), slog.String("screening", s.ID), slog.String("case", c.ID))
	}
	o.cases = 1
	return o, nil
}

// heldCaseLimit bounds how many of a counterparty's newest cases are read to
// find the entries already held: a hit only held further back opens a case,
// which errs on the side of a person looking.
const heldCaseLimit = 50

// heldHit is a list entry that a case already holds against a counterparty.
type heldHit struct {
	caseID string
	// firm: the case was rejected, or its hit on the entry blocks. A hit that
	// blocks now on an entry the case held only as a resemblance is a new
	// finding (the list added the party's own name, say) and opens a case.
	firm bool
}

// heldEntries returns the list entries (Entry.Key) that a case still open,
// escalated or rejected already holds against this counterparty. The cases
// are the previous screening's (where the party may have been the end user)
// and those under the counterparty's name as customer, which include earlier
// re-screenings. A cleared case holds
// nothing: the reviewer's clearance was given on the entry as it was, and a
// false-positive decision that should outlive the change is a suppression,
// which expires with the entry's content on purpose.
func (r *Rescreener) heldEntries(ctx context.Context, h HistoryEntry, prev *Screening) (map[string]heldHit, error) {
	held := map[string]heldHit{}
	seen := map[string]bool{}
	consider := func(c *Case, s *Screening) error {
		if seen[c.ID] || (c.Status != CaseOpen && c.Status != CaseEscalated && c.Status != CaseRejected) {
			return nil
		}
		seen[c.ID] = true
		if s == nil {
			var err error
			if s, err = r.Store.Screening(ctx, c.ScreeningID); ErrorCode(err) == ENOTFOUND {
				return nil
			} else if err != nil {
				return fmt.Errorf("read screening %s of case %s: %w", c.ScreeningID, c.ID, err)
			}
		}
		for _, f := range s.Flags {
			if f.Code != "denied_party" || f.Suppressed {
				continue
			}
			if name, _ := f.Evidence["party_name"].(string); names.Key(name) != h.Key {
				continue
			}
			key, _ := f.Evidence["entry_key"].(string)
			if was, ok := held[key]; key != "" && (!ok || !was.firm) {
				held[key] = heldHit{caseID: c.ID, firm: f.Block || c.Status == CaseRejected}
			}
		}
		return nil
	}
	if prev != nil && prev.CaseID != "" {
		c, err := r.Store.Case(ctx, prev.CaseID)
		switch {
		case err == nil:
			if err := consider(c, prev); err != nil {
				return nil, err
			}
		case ErrorCode(err) != ENOTFOUND:
			return nil, fmt.Errorf("read case %s: %w", prev.CaseID, err)
		}
	}
	cases, _, err := r.Store.ListCases(ctx, CaseFilter{CustomerKey: h.Key, Limit: heldCaseLimit})
	if err != nil {
		return nil, fmt.Errorf("list cases of %q: %w", h.Name, err)
	}
	for _, c := range cases {
		if err := consider(c, nil); err != nil {
			return nil, err
		}
	}
	return held, nil
}

// entryKeys lists the flags' entries (Entry.Key), for the audit trail.
func entryKeys(flags []Flag) []string {
	keys := make([]string, 0, len(flags))
	for _, f := range flags {
		keys = append(keys, fmt.Sprint(f.Evidence["entry_key"]))
	}
	return keys
}

// allHeld reports whether every live hit is held, and by which case (the
// first hit's).
func allHeld(live []Flag, held map[string]heldHit) (string, bool) {
	for _, f := range live {
		was, ok := held[fmt.Sprint(f.Evidence["entry_key"])]
		if !ok || (f.Block && !was.firm) {
			return "", false
		}
	}
	return held[fmt.Sprint(live[0].Evidence["entry_key"])].caseID, true
}

// PendingItem is how a changed entry is recorded for re-screening
// (Store.AddRescreenPending): its key and its content hash (Entry.ContentHash),
// so that an entry that changes again while a run that read the first change
// goes on stays pending when that run clears its items.
func PendingItem(key, contentHash string) string { return key + "#" + contentHash }

// PendingKey is the entry key of a PendingItem (the hash is hex, without #).
func PendingKey(item string) string {
	if i := strings.LastIndexByte(item, '#'); i >= 0 {
		return item[:i]
	}
	return item
}

func deltaFingerprint(delta []Entry) string {
	h := sha256.New()
	for _, e := range delta {
		fmt.Fprintf(h, "%s=%s\n", e.Key(), e.ContentHash())
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
