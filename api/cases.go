package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// caseView is GET /v1/cases/{id}: the case, the screening with every flag and
// its evidence, and what else is known about the counterparty.
type caseView struct {
	Case      *screening.Case `json:"case"`
	Screening screeningView   `json:"screening"`
	// PendingClearBy names the reviewer whose clear of a block case waits for a
	// second pair of eyes.
	PendingClearBy string      `json:"pending_clear_by,omitempty"`
	History        caseHistory `json:"history"`
}

// caseHistory is the customer's past with Hikiai: other screenings and cases
// (newest first, at most historyLimit each) and its "good guy" suppressions.
type caseHistory struct {
	Screenings   []screeningView         `json:"screenings"`
	Cases        []*screening.Case       `json:"cases"`
	Suppressions []screening.Suppression `json:"suppressions"`
}

const historyLimit = 20

// caseStatuses are the values ?status= accepts.
var caseStatuses = []string{screening.CaseOpen, screening.CaseEscalated, screening.CaseCleared, screening.CaseRejected}

// listCases is GET /v1/cases?status=&level=&since=&customer=&limit=&cursor=,
// the reviewers' queue, newest first.
func (s *Server) listCases(c *gin.Context) {
	f := screening.CaseFilter{Cursor: c.Query("cursor"), Status: c.Query("status"), Level: screening.Level(c.Query("level"))}
	var err error
	if f.Status != "" && !slices.Contains(caseStatuses, f.Status) {
		fail(c, invalid("status", "must be one of "+strings.Join(caseStatuses, ", ")))
		return
	}
	switch f.Level {
	case "", screening.LevelLow, screening.LevelMedium, screening.LevelHigh:
	default:
		fail(c, invalid("level", "must be one of low, medium, high"))
		return
	}
	if f.Limit, err = queryLimit(c, 50, 500); err != nil {
		fail(c, err)
		return
	}
	if f.Since, err = querySince(c); err != nil {
		fail(c, err)
		return
	}
	if name := strings.TrimSpace(c.Query("customer")); name != "" {
		f.CustomerKey = names.Key(name)
	}
	list, next, err := s.store.ListCases(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	if list == nil {
		list = []*screening.Case{}
	}
	c.JSON(http.StatusOK, listPage[*screening.Case]{Items: list, NextCursor: next})
}

// getCase is GET /v1/cases/{id}.
func (s *Server) getCase(c *gin.Context) {
	ctx := c.Request.Context()
	cs, err := s.store.Case(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	scr, err := s.store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		fail(c, fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, asInternal(err)))
		return
	}
	v := caseView{Case: cs, Screening: screeningView{Result: scr.Result, Inquiry: &scr.Inquiry},
		History: caseHistory{Screenings: []screeningView{}, Cases: []*screening.Case{}, Suppressions: []screening.Suppression{}}}
	v.PendingClearBy, _ = screening.PendingClear(cs)
	if cs.CustomerKey != "" {
		past, _, err := s.store.ListScreenings(ctx, screening.ScreeningFilter{CustomerKey: cs.CustomerKey, Limit: historyLimit + 1})
		if err != nil {
			fail(c, err)
			return
		}
		for _, p := range past {
			if p.ID != scr.ID && len(v.History.Screenings) < historyLimit {
				v.History.Screenings = append(v.History.Screenings, screeningView{Result: p.Result})
			}
		}
		cases, _, err := s.store.ListCases(ctx, screening.CaseFilter{CustomerKey: cs.CustomerKey, Limit: historyLimit + 1})
		if err != nil {
			fail(c, err)
			return
		}
		for _, other := range cases {
			if other.ID != cs.ID && len(v.History.Cases) < historyLimit {
				v.History.Cases = append(v.History.Cases, other)
			}
		}
		sups, err := s.store.Suppressions(ctx, cs.CustomerKey)
		if err != nil {
			fail(c, err)
			return
		}
		v.History.Suppressions = append(v.History.Suppressions, sups...)
	}
	c.JSON(http.StatusOK, v)
}

// decisionRequest is the body of POST /v1/cases/{id}/decision.
type decisionRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// CaseDecided is the audit data of a decision, and so the data of the
// case.decided webhook event: self-contained, so that an ERP system can release
// or cancel its order from the event alone.
type CaseDecided struct {
	CaseID      string           `json:"case_id"`
	ScreeningID string           `json:"screening_id"`
	Reference   string           `json:"reference,omitempty"`
	Deal        string           `json:"deal,omitempty"`
	Customer    string           `json:"customer"`
	Action      screening.Action `json:"action"` // what the screening said: review or block
	Decision    string           `json:"decision"`
	Reason      string           `json:"reason"`
	// Status is the case's status after the decision; Pending is true for a
	// first clear of a block case that waits for a second reviewer (the order
	// stays held).
	Status    string    `json:"status"`
	Pending   bool      `json:"pending,omitempty"`
	DecidedBy string    `json:"decided_by"`
	KeyName   string    `json:"key_name,omitempty"`
	Role      string    `json:"role"`
	DecidedAt time.Time `json:"decided_at"`
}

// decideCase is POST /v1/cases/{id}/decision. Of two decisions racing on one
// case exactly one is stored; the other gets 409 and must reload.
func (s *Server) decideCase(c *gin.Context) {
	var req decisionRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	cs, err := s.store.Case(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	scr, err := s.store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		fail(c, fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, asInternal(err)))
		return
	}
	k := apiKey(c)
	now := s.now().UTC()
	expect := cs.Version
	d := screening.Decision{Decision: req.Decision, Reason: req.Reason, KeyID: k.ID, KeyName: k.Name, Role: k.Role, At: now}
	if err := screening.Decide(cs, d, s.caseSettings()); err != nil {
		fail(c, err)
		return
	}
	last := cs.Decisions[len(cs.Decisions)-1]
	audit := screening.NewAuditRecord(now, screening.AuditDecision, k.ID, cs.ID, CaseDecided{
		CaseID: cs.ID, ScreeningID: cs.ScreeningID, Reference: scr.Reference, Deal: scr.Inquiry.Deal,
		Customer: cs.Customer, Action: cs.Action, Decision: last.Decision, Reason: last.Reason,
		Status: cs.Status, Pending: last.Pending, DecidedBy: k.ID, KeyName: k.Name, Role: k.Role, DecidedAt: now,
	})
	if err := s.store.UpdateCase(ctx, cs, expect, audit); err != nil {
		if screening.ErrorCode(err) == screening.ECONFLICT {
			err = screening.Errorf(screening.ECONFLICT, "case %s was changed by another decision while you decided; reload it and decide again", cs.ID)
		}
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cs)
}

// caseSettings are the decision rules; without an engine (tests of other
// handlers) the stricter four-eyes rule holds.
func (s *Server) caseSettings() screening.CaseSettings {
	if s.engine != nil && s.engine.Settings != nil {
		return s.engine.Settings.Cases
	}
	return screening.CaseSettings{FourEyesForBlock: true}
}

// suppressionRequest is the body of POST /v1/cases/{id}/suppressions.
type suppressionRequest struct {
	EntryKey string `json:"entry_key"` // "source:id" of the list entry
	// Party is the role of the party the hit is about (customer, payer, ...),
	// needed only when the entry matched several parties of the inquiry.
	Party  string `json:"party,omitempty"`
	Reason string `json:"reason"`
}

// SuppressionAdded is the audit data of a "good guy" decision.
type SuppressionAdded struct {
	CaseID          string `json:"case_id"`
	ScreeningID     string `json:"screening_id"`
	Party           string `json:"party"`
	Counterparty    string `json:"counterparty"`
	CounterpartyKey string `json:"counterparty_key"`
	EntryKey        string `json:"entry_key"`
	EntryHash       string `json:"entry_hash"`
	Reason          string `json:"reason"`
}

// DeniedPartyCode is the flag code whose hits a reviewer may suppress.
const DeniedPartyCode = "denied_party"

// suppressHit is POST /v1/cases/{id}/suppressions: a reviewer marks a
// denied_party hit of the case's screening as a false positive for that
// counterparty and list entry. Later screenings show the hit as suppressed (no
// points) while the entry's content hash stays the one recorded here.
func (s *Server) suppressHit(c *gin.Context) {
	var req suppressionRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	req.EntryKey, req.Party = strings.TrimSpace(req.EntryKey), strings.TrimSpace(req.Party)
	fields := map[string]string{}
	if src, id, ok := strings.Cut(req.EntryKey, ":"); !ok || src == "" || id == "" || len(req.EntryKey) > 200 {
		fields["entry_key"] = "required: the list entry as source:id (evidence.entry_key of the hit)"
	}
	if why := screening.CheckReason(req.Reason); why != "" {
		fields["reason"] = why
	}
	if len(fields) > 0 {
		fail(c, &screening.Error{Code: screening.EINVALID, Message: "invalid suppression", Fields: fields})
		return
	}
	ctx := c.Request.Context()
	cs, err := s.store.Case(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	scr, err := s.store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		fail(c, fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, asInternal(err)))
		return
	}
	hit, err := findHit(scr, req.EntryKey, req.Party)
	if err != nil {
		fail(c, err)
		return
	}
	k := apiKey(c)
	now := s.now().UTC()
	sup := screening.Suppression{CounterpartyKey: hit.counterpartyKey, EntryKey: req.EntryKey, EntryHash: hit.entryHash,
		Reason: strings.TrimSpace(req.Reason), KeyID: k.ID, CaseID: cs.ID, At: now}
	audit := screening.NewAuditRecord(now, screening.AuditSuppression, k.ID, sup.CounterpartyKey, SuppressionAdded{
		CaseID: cs.ID, ScreeningID: scr.ID, Party: hit.party, Counterparty: hit.name, CounterpartyKey: sup.CounterpartyKey,
		EntryKey: sup.EntryKey, EntryHash: sup.EntryHash, Reason: sup.Reason,
	})
	if err := s.store.PutSuppression(ctx, sup, audit); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sup)
}

// deniedHit is the denied_party flag a suppression is about.
type deniedHit struct {
	party, name, counterpartyKey, entryHash string
}

// findHit finds the denied_party flag of scr for entryKey (and party when
// given). The counterparty is the party the flag names: evidence
// "counterparty_key" when the check put it there, else names.Key of the
// party's name (evidence "party_name", or the inquiry's party in that role),
// which is the key the denied_party check looks suppressions up by.
func findHit(scr *screening.Screening, entryKey, party string) (*deniedHit, error) {
	var hits []*deniedHit
	var parties []string
	for _, f := range scr.Flags {
		if f.Code != DeniedPartyCode || evidenceString(f.Evidence, "entry_key") != entryKey {
			continue
		}
		parties = append(parties, f.Party)
		if party != "" && f.Party != party {
			continue
		}
		h := &deniedHit{party: f.Party, entryHash: evidenceString(f.Evidence, "entry_hash"),
			counterpartyKey: evidenceString(f.Evidence, "counterparty_key"), name: evidenceString(f.Evidence, "party_name")}
		for _, p := range scr.Inquiry.Parties() {
			if h.name == "" && (p.Role == f.Party || (f.Party == "" && p.Role == screening.RoleCustomer)) {
				h.name = p.Party.Name
			}
		}
		if h.counterpartyKey == "" && h.name != "" {
			h.counterpartyKey = names.Key(h.name)
		}
		hits = append(hits, h)
	}
	switch {
	case len(parties) == 0:
		return nil, &screening.Error{Code: screening.EUNPROCESSABLE, Message: fmt.Sprintf("screening %s has no %s hit on list entry %s", scr.ID, DeniedPartyCode, entryKey),
			Fields: map[string]string{"entry_key": "not a denied_party hit of this case"}}
	case len(hits) == 0:
		return nil, &screening.Error{Code: screening.EUNPROCESSABLE, Message: fmt.Sprintf("list entry %s did not match party %q", entryKey, party),
			Fields: map[string]string{"party": "the entry matched " + strings.Join(parties, ", ")}}
	case len(hits) > 1:
		return nil, &screening.Error{Code: screening.EINVALID, Message: fmt.Sprintf("list entry %s matched several parties; say which", entryKey),
			Fields: map[string]string{"party": "required: one of " + strings.Join(parties, ", ")}}
	}
	h := hits[0]
	if h.entryHash == "" || h.counterpartyKey == "" {
		// Without the entry's content hash the suppression could never expire when
		// the list changes, so it is refused rather than stored unbound.
		return nil, screening.Errorf(screening.EUNPROCESSABLE, "the hit on %s carries no entry_hash or counterparty in its evidence; it cannot be suppressed", entryKey)
	}
	return h, nil
}

func evidenceString(ev map[string]any, key string) string {
	s, _ := ev[key].(string)
	return s
}

// asInternal turns "not found" of a record that must exist (the screening of a
// case) into an internal error: the client asked for something that exists, and
// a 404 would mislead.
func asInternal(err error) error {
	if screening.ErrorCode(err) == screening.ENOTFOUND {
		return fmt.Errorf("dangling reference: %s", screening.ErrorMessage(err))
	}
	return err
}
