package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/api/web"
	"github.com/hikiai/hikiai/screening"
)

// mountWeb adds the pages for people (package web) under /ui/. They act
// through webActions, which take the same steps as the JSON handlers, so an
// inquiry screened or a case decided in a browser leaves the same audit
// records and webhook events as one sent by an ERP system.
func (s *Server) mountWeb(r *gin.Engine) {
	var settings *screening.Settings
	if s.engine != nil {
		settings = s.engine.Settings
	}
	ui, err := web.New(web.Options{
		Store: s.store, Lists: s.lists, Settings: settings, Cache: s.cache, Actions: webActions{s},
		KeyByHash: s.keys.lookup, HashSecret: HashSecret, Log: s.log, Now: s.now,
	})
	if err != nil {
		// The templates are compiled into the binary; the web package's tests
		// parse them, so this cannot happen in a tested build.
		panic(err)
	}
	ui.Mount(r)
}

// webActions implements web.Actions on the server.
type webActions struct{ s *Server }

// Screen is POST /v1/screenings for a page.
func (a webActions) Screen(ctx context.Context, k *screening.APIKey, inq screening.Inquiry) (*screening.Screening, error) {
	scr, created, err := a.s.engine.Screen(ctx, screening.ScreenRequest{KeyID: k.ID, Inquiry: inq})
	if err != nil {
		if code := screening.ErrorCode(err); code == screening.EINTERNAL || code == screening.EUNAVAILABLE {
			a.s.metrics.StoreErrors.WithLabelValues("screen").Inc()
		}
		return nil, err
	}
	if created {
		a.s.metrics.Screenings.WithLabelValues(string(scr.Action)).Inc()
		for _, f := range scr.Flags {
			if !f.Suppressed {
				a.s.metrics.Flags.WithLabelValues(f.Code).Inc()
			}
		}
	}
	return scr, nil
}

// Decide is POST /v1/cases/{id}/decision for a page: screening.Decide holds
// the rules (four eyes included), UpdateCase the race, CaseDecided the audit
// record and so the case.decided webhook event.
func (a webActions) Decide(ctx context.Context, k *screening.APIKey, caseID, decision, reason string) (*screening.Case, error) {
	s := a.s
	cs, err := s.store.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	scr, err := s.store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		return nil, fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, asInternal(err))
	}
	now := s.now().UTC()
	expect := cs.Version
	d := screening.Decision{Decision: decision, Reason: reason, KeyID: k.ID, KeyName: k.Name, Role: k.Role, At: now}
	if err := screening.Decide(cs, d, s.caseSettings()); err != nil {
		return nil, err
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
		return nil, err
	}
	return cs, nil
}

// Suppress is POST /v1/cases/{id}/suppressions for a page.
func (a webActions) Suppress(ctx context.Context, k *screening.APIKey, caseID, entryKey, party, reason string) error {
	s := a.s
	entryKey, party = strings.TrimSpace(entryKey), strings.TrimSpace(party)
	if why := screening.CheckReason(reason); why != "" {
		return &screening.Error{Code: screening.EINVALID, Message: "invalid suppression", Fields: map[string]string{"reason": why}}
	}
	cs, err := s.store.Case(ctx, caseID)
	if err != nil {
		return err
	}
	scr, err := s.store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		return fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, asInternal(err))
	}
	hit, err := findHit(scr, entryKey, party)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	sup := screening.Suppression{CounterpartyKey: hit.counterpartyKey, EntryKey: entryKey, EntryHash: hit.entryHash,
		Reason: strings.TrimSpace(reason), KeyID: k.ID, CaseID: cs.ID, At: now}
	audit := screening.NewAuditRecord(now, screening.AuditSuppression, k.ID, sup.CounterpartyKey, SuppressionAdded{
		CaseID: cs.ID, ScreeningID: scr.ID, Party: hit.party, Counterparty: hit.name, CounterpartyKey: sup.CounterpartyKey,
		EntryKey: sup.EntryKey, EntryHash: sup.EntryHash, Reason: sup.Reason,
	})
	return s.store.PutSuppression(ctx, sup, audit)
}
