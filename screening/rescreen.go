package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
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
	DeltaEntries   int           `json:"delta_entries"`
	Counterparties int           `json:"counterparties"`
	Hits           int           `json:"hits"`
	Cases          int           `json:"cases"`
	Duration       time.Duration `json:"duration"`
}

// Run screens every counterparty seen within the window against delta (entries
// of next that are new or changed). A hit that is not suppressed becomes a new
// screening with a case and an audit record of kind rescreen; running again for
// the same delta creates nothing twice (the screening's reference is derived
// from the delta and the counterparty).
func (r *Rescreener) Run(ctx context.Context, next *ListSet, delta []Entry) (RescreenReport, error) {
	start := time.Now()
	rep := RescreenReport{DeltaEntries: len(delta)}
	if len(delta) == 0 {
		return rep, nil
	}
	bySource := map[string][]Entry{}
	for _, e := range delta {
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	snaps := make([]ListSnapshot, 0, len(bySource))
	for src, es := range bySource {
		snaps = append(snaps, ListSnapshot{Source: src, Version: next.SourceVersion(src), Entries: es})
	}
	deltaSet, err := NewListSet(snaps, r.Now())
	if err != nil {
		return rep, fmt.Errorf("rescreen: %w", err)
	}
	deltaID := deltaFingerprint(delta)
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
				hits, made, err := r.one(ctx, check, deltaSet, deltaID, next.Version, h)
				mu.Lock()
				rep.Hits += hits
				rep.Cases += made
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	err = r.Store.SeenCounterparties(ctx, r.Now().Add(-window), func(h HistoryEntry) error {
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

// one screens one counterparty against the delta.
func (r *Rescreener) one(ctx context.Context, check *DeniedPartyCheck, deltaSet *ListSet, deltaID, listsVersion string, h HistoryEntry) (hits, cases int, err error) {
	party := Party{Name: h.Name, Country: h.Country}
	flags, err := check.partyFlags(ctx, deltaSet, RoledParty{Role: h.Party, Party: &party})
	if err != nil || len(flags) == 0 {
		return 0, 0, err
	}
	live := 0
	for _, f := range flags {
		if !f.Suppressed {
			live++
		}
	}
	if live == 0 {
		return len(flags), 0, nil
	}
	now := r.Now().UTC()
	ref := "rescreen-" + deltaID + "-" + shortHash(h.Key)
	s := &Screening{
		Result: Result{ID: NewID("scr", now), Reference: ref, Flags: flags, ListsVersion: listsVersion, ScreenedAt: now,
			Reasons: []string{fmt.Sprintf("re-screened after a list change: the %s %q was seen in screening %s", h.Party, h.Name, h.ScreeningID)}},
		KeyID: RescreenKeyID, CustomerKey: h.Key,
		Inquiry: Inquiry{Reference: ref, Customer: party, ReceivedAt: now,
			Items: []Item{{Description: "re-screening of a known counterparty", Quantity: 1}}},
	}
	if prev, perr := r.Store.Screening(ctx, h.ScreeningID); perr == nil {
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
	entryKeys := make([]string, 0, len(flags))
	for _, f := range flags {
		entryKeys = append(entryKeys, fmt.Sprint(f.Evidence["entry_key"]))
	}
	audit := NewAuditRecord(now, AuditRescreen, RescreenKeyID, s.ID, map[string]any{
		"counterparty": h.Name, "counterparty_key": h.Key, "party": h.Party, "previous_screening": h.ScreeningID,
		"entries": entryKeys, "score": s.Score, "action": s.Action, "case_id": c.ID, "lists_version": listsVersion,
	})
	switch err := r.Store.SaveScreening(ctx, s, c, audit); {
	case ErrorCode(err) == ECONFLICT:
		return len(flags), 0, nil // this delta already re-screened this counterparty
	case err != nil:
		return len(flags), 0, fmt.Errorf("save re-screening of %q: %w", h.Name, err)
	}
	if r.Log != nil {
		r.Log.Info("re-screening hit", slog.String("counterparty", h.Name), slog.String("screening", s.ID), slog.String("case", c.ID))
	}
	return len(flags), 1, nil
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
