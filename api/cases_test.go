package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// holdCheck raises a flag when the inquiry's end_use asks for it, so that tests
// decide whether a screening is held without depending on the real checks:
// "hold:review" gives 30 points (review), "hold:block" forces a block.
type holdCheck struct{}

func (holdCheck) Code() string { return "test_hold" }

func (holdCheck) Run(_ context.Context, in *screening.Input) ([]screening.Flag, error) {
	f := screening.Flag{Code: "test_hold", Severity: screening.SeverityMedium, Points: 30, Party: screening.RoleCustomer,
		Message: "held by the test", MessageJA: "テストで保留", Evidence: map[string]any{"end_use": in.Inquiry.EndUse}}
	switch in.Inquiry.EndUse {
	case "hold:review":
		return []screening.Flag{f}, nil
	case "hold:block":
		f.Severity, f.Points, f.Block = screening.SeverityHigh, 90, true
		return []screening.Flag{f}, nil
	}
	return nil, nil
}

func heldInquiry(ref, action string) map[string]any {
	inq := designInquiry(ref)
	inq["end_use"] = "hold:" + action
	return inq
}

// screenHeld screens an inquiry that is held and returns its result.
func (e *testEnv) screenHeld(key, ref, action string) screening.Result {
	e.t.Helper()
	var res screening.Result
	if resp := e.do("POST", "/v1/screenings", key, heldInquiry(ref, action), &res); resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("screen %s: status %d", ref, resp.StatusCode)
	}
	if string(res.Action) != action || !strings.HasPrefix(res.CaseID, "case_") {
		e.t.Fatalf("screen %s: action %s case %q, want %s with a case", ref, res.Action, res.CaseID, action)
	}
	return res
}

func decide(decision, reason string) map[string]string {
	return map[string]string{"decision": decision, "reason": reason}
}

func TestCaseLifecycle(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	sales, reviewer := env.key(screening.RoleSales), env.key(screening.RoleReviewer)
	var proceed screening.Result
	env.do("POST", "/v1/screenings", sales, designInquiry("INQ-0"), &proceed)
	if proceed.Action != screening.ActionProceed || proceed.CaseID != "" {
		t.Fatalf("a clean inquiry: action %s case %q, want proceed without a case", proceed.Action, proceed.CaseID)
	}
	res := env.screenHeld(sales, "INQ-1", "review")
	later := env.screenHeld(sales, "INQ-2", "review") // same customer: part of the first case's history

	var page listPage[*screening.Case]
	if resp := env.do("GET", "/v1/cases?status=open&level=medium", reviewer, nil, &page); resp.StatusCode != 200 {
		t.Fatalf("list: %d", resp.StatusCode)
	}
	if len(page.Items) != 2 || page.Items[0].ID != later.CaseID || page.Items[1].ID != res.CaseID {
		t.Fatalf("open cases %+v, want the two held screenings newest first", page.Items)
	}
	if resp := env.do("GET", "/v1/cases", sales, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sales listing cases: %d, want 403", resp.StatusCode)
	}

	var view caseView
	if resp := env.do("GET", "/v1/cases/"+res.CaseID, reviewer, nil, &view); resp.StatusCode != 200 {
		t.Fatalf("get case: %d", resp.StatusCode)
	}
	if view.Case.ScreeningID != res.ID || view.Screening.ID != res.ID || view.Screening.Inquiry == nil ||
		len(view.Screening.Flags) != 1 || view.Screening.Flags[0].Evidence["end_use"] != "hold:review" {
		t.Fatalf("case view %+v", view)
	}
	if len(view.History.Screenings) != 2 || len(view.History.Cases) != 1 || view.History.Cases[0].ID != later.CaseID {
		t.Errorf("history: %d screenings %d cases, want the clean and the later screening and the later case", len(view.History.Screenings), len(view.History.Cases))
	}

	var eb ErrorBody
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, decide("clear", "  "), &eb); resp.StatusCode != 400 || eb.Error.Fields["reason"] == "" {
		t.Errorf("blank reason: %d %+v", resp.StatusCode, eb)
	}
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, `{"decision":"clear","reason":"x","extra":1}`, &eb); resp.StatusCode != 400 || eb.Error.Fields["extra"] == "" {
		t.Errorf("unknown field: %d %+v", resp.StatusCode, eb)
	}
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", sales, decide("clear", "fine"), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sales deciding: %d, want 403", resp.StatusCode)
	}
	if resp := env.do("POST", "/v1/cases/case_nope/decision", reviewer, decide("clear", "fine"), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown case: %d, want 404", resp.StatusCode)
	}

	before, err := env.store.Case(context.Background(), res.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	var decided screening.Case
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, decide("clear", "registry checked: a car parts maker"), &decided); resp.StatusCode != 200 {
		t.Fatalf("decide: %d", resp.StatusCode)
	}
	if decided.Status != screening.CaseCleared || len(decided.Decisions) != 1 || decided.Decisions[0].Reason != "registry checked: a car parts maker" || decided.Version != before.Version+1 {
		t.Fatalf("decided case %+v", decided)
	}
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, decide("reject", "second thoughts"), &eb); resp.StatusCode != http.StatusConflict {
		t.Errorf("deciding a cleared case: %d, want 409", resp.StatusCode)
	}
	if resp := env.do("GET", "/v1/cases?status=cleared", reviewer, nil, &page); resp.StatusCode != 200 || len(page.Items) != 1 || page.Items[0].ID != res.CaseID {
		t.Errorf("cleared cases: %+v", page.Items)
	}

	// The decision is in the audit trail with what an ERP system needs.
	recs, err := env.store.Audit(context.Background(), screening.AuditFilter{Kind: screening.AuditDecision})
	if err != nil || len(recs) != 1 || recs[0].Subject != res.CaseID {
		t.Fatalf("decision audit records %+v, %v", recs, err)
	}
	for _, want := range []string{`"reference":"INQ-1"`, `"status":"cleared"`, `"decision":"clear"`, `"screening_id":"` + res.ID + `"`} {
		if !strings.Contains(string(recs[0].Data), want) {
			t.Errorf("decision record %s lacks %s", recs[0].Data, want)
		}
	}
}

func TestListCasesQuery(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	sales, reviewer := env.key(screening.RoleSales), env.key(screening.RoleReviewer)
	for i := range 3 {
		env.screenHeld(sales, fmt.Sprintf("INQ-%d", i), "review")
	}
	env.screenHeld(sales, "INQ-B", "block")
	for _, tc := range []struct {
		query string
		field string
	}{
		{"status=pending", "status"}, {"level=severe", "level"}, {"since=yesterday", "since"}, {"limit=0", "limit"}, {"limit=501", "limit"},
	} {
		var eb ErrorBody
		if resp := env.do("GET", "/v1/cases?"+tc.query, reviewer, nil, &eb); resp.StatusCode != 400 || eb.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %+v, want 400 naming %s", tc.query, resp.StatusCode, eb, tc.field)
		}
	}
	var high listPage[*screening.Case]
	env.do("GET", "/v1/cases?level=high", reviewer, nil, &high)
	if len(high.Items) != 1 || high.Items[0].Action != screening.ActionBlock {
		t.Errorf("high cases %+v, want the block case", high.Items)
	}
	var seen []string
	cursor := ""
	for range 5 {
		var page listPage[*screening.Case]
		env.do("GET", "/v1/cases?limit=2&cursor="+cursor, reviewer, nil, &page)
		for _, c := range page.Items {
			seen = append(seen, c.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 4 {
		t.Errorf("paging by 2 saw %v, want 4 cases", seen)
	}
	var none listPage[*screening.Case]
	if env.do("GET", "/v1/cases?since=2999-01-01", reviewer, nil, &none); none.Items == nil || len(none.Items) != 0 {
		t.Errorf("empty page %+v, want items: []", none)
	}
}

func TestFourEyesOverAPI(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	sales := env.key(screening.RoleSales)
	r1, r2, admin := env.key(screening.RoleReviewer), env.key(screening.RoleReviewer), env.key(screening.RoleAdmin)

	res := env.screenHeld(sales, "INQ-B1", "block")
	var c screening.Case
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", r1, decide("clear", "same name, other company"), &c); resp.StatusCode != 200 {
		t.Fatalf("first clear: %d", resp.StatusCode)
	}
	if c.Status != screening.CaseOpen || !c.Decisions[0].Pending {
		t.Fatalf("after the first reviewer: %+v, want open with a pending clear", c)
	}
	var view caseView
	env.do("GET", "/v1/cases/"+res.CaseID, r2, nil, &view)
	if view.PendingClearBy == "" || view.PendingClearBy != c.Decisions[0].KeyID {
		t.Errorf("pending_clear_by %q, want %s", view.PendingClearBy, c.Decisions[0].KeyID)
	}
	var eb ErrorBody
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", r1, decide("clear", "really"), &eb); resp.StatusCode != http.StatusForbidden || !strings.Contains(eb.Error.Message, "four eyes") {
		t.Errorf("same reviewer twice: %d %+v, want 403 about four eyes", resp.StatusCode, eb)
	}
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", r2, decide("clear", "agree: other company"), &c); resp.StatusCode != 200 || c.Status != screening.CaseCleared {
		t.Fatalf("second reviewer: %d %+v", resp.StatusCode, c)
	}

	res = env.screenHeld(sales, "INQ-B2", "block")
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", admin, decide("clear", "admin: licence on file"), &c); resp.StatusCode != 200 || c.Status != screening.CaseCleared {
		t.Fatalf("admin clear: %d %+v", resp.StatusCode, c)
	}

	// With four eyes switched off in the rules, one reviewer clears a block.
	env.engine.Settings.Cases.FourEyesForBlock = false
	res = env.screenHeld(sales, "INQ-B3", "block")
	if resp := env.do("POST", "/v1/cases/"+res.CaseID+"/decision", r1, decide("clear", "fine"), &c); resp.StatusCode != 200 || c.Status != screening.CaseCleared {
		t.Fatalf("clear without four eyes: %d %+v", resp.StatusCode, c)
	}
}

// TestConcurrentDecisions: ten reviewers decide one case at once; exactly one
// decision is stored, everyone else gets 409.
func TestConcurrentDecisions(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	res := env.screenHeld(env.key(screening.RoleSales), "INQ-RACE", "review")
	const n = 10
	keys := make([]string, n)
	for i := range keys {
		keys[i] = env.key(screening.RoleReviewer)
	}
	before, err := env.store.Case(context.Background(), res.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			d := []string{"clear", "reject"}[i%2] // final decisions: an escalation would let a later one through legitimately
			codes[i] = env.do("POST", "/v1/cases/"+res.CaseID+"/decision", keys[i], decide(d, fmt.Sprintf("reviewer %d", i)), nil).StatusCode
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, code := range codes {
		switch code {
		case http.StatusOK:
			won++
		case http.StatusConflict:
		default:
			t.Errorf("decision %d: status %d", i, code)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions won (codes %v), want exactly 1", won, codes)
	}
	c, err := env.store.Case(context.Background(), res.CaseID)
	if err != nil || len(c.Decisions) != 1 || c.Version != before.Version+1 {
		t.Fatalf("case after the race: %+v, %v", c, err)
	}
	recs, _ := env.store.Audit(context.Background(), screening.AuditFilter{Kind: screening.AuditDecision})
	if len(recs) != 1 {
		t.Errorf("%d decision audit records, want 1", len(recs))
	}
}

// saveDeniedScreening stores a held screening with denied_party flags shaped as
// the denied_party check makes them, and returns its case id.
func saveDeniedScreening(t *testing.T, env *testEnv, flags ...screening.Flag) (*screening.Screening, string) {
	t.Helper()
	now := time.Now().UTC()
	s := &screening.Screening{
		Result: screening.Result{ID: screening.NewID("scr", now), Score: 100, Level: screening.LevelHigh, Action: screening.ActionBlock, Flags: flags, ScreenedAt: now},
		KeyID:  "key_test", CustomerKey: "acme",
		Inquiry: screening.Inquiry{Customer: screening.Party{Name: "ACME Trading", Country: "CN"}, Payer: &screening.Party{Name: "Acme Holdings", Country: "HK"},
			Items: []screening.Item{{Product: "X", Quantity: 1}}},
	}
	c := screening.NewCase(s, now)
	s.CaseID = c.ID
	if err := env.store.SaveScreening(context.Background(), s, c, screening.NewAuditRecord(now, screening.AuditScreening, "key_test", s.ID, nil)); err != nil {
		t.Fatal(err)
	}
	return s, c.ID
}

func deniedFlag(party, entryKey, hash string) screening.Flag {
	return screening.Flag{Code: DeniedPartyCode, Severity: screening.SeverityHigh, Points: 100, Party: party, Block: true,
		Evidence: map[string]any{"entry_key": entryKey, "entry_hash": hash}}
}

func TestSuppressionRequests(t *testing.T) {
	env := newTestEnv(t)
	reviewer := env.key(screening.RoleReviewer)
	_, caseID := saveDeniedScreening(t, env,
		deniedFlag(screening.RoleCustomer, "ofac_sdn:100", "h100"),
		deniedFlag(screening.RoleCustomer, "meti_eul:7", "h7"),
		deniedFlag(screening.RolePayer, "meti_eul:7", "h7"),
		screening.Flag{Code: DeniedPartyCode, Party: screening.RoleCustomer, Evidence: map[string]any{"entry_key": "un_sc:9"}},
		screening.Flag{Code: "payer_mismatch", Party: screening.RolePayer, Evidence: map[string]any{"entry_key": "ofac_sdn:5", "entry_hash": "x"}},
	)
	path := "/v1/cases/" + caseID + "/suppressions"
	for _, tc := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"missing entry", map[string]string{"reason": "other company"}, 400, "entry_key"},
		{"entry without source", map[string]string{"entry_key": "100", "reason": "other company"}, 400, "entry_key"},
		{"missing reason", map[string]string{"entry_key": "ofac_sdn:100"}, 400, "reason"},
		{"not a hit of this case", map[string]string{"entry_key": "ofac_sdn:999", "reason": "x"}, 422, "entry_key"},
		{"not a denied_party flag", map[string]string{"entry_key": "ofac_sdn:5", "reason": "x"}, 422, "entry_key"},
		{"several parties", map[string]string{"entry_key": "meti_eul:7", "reason": "x"}, 400, "party"},
		{"wrong party", map[string]string{"entry_key": "ofac_sdn:100", "party": "payer", "reason": "x"}, 422, "party"},
		{"hit without hash", map[string]string{"entry_key": "un_sc:9", "reason": "x"}, 422, ""},
	} {
		var eb ErrorBody
		resp := env.do("POST", path, reviewer, tc.body, &eb)
		if resp.StatusCode != tc.status || (tc.field != "" && eb.Error.Fields[tc.field] == "") {
			t.Errorf("%s: %d %+v, want %d naming %q", tc.name, resp.StatusCode, eb, tc.status, tc.field)
		}
	}
	if got, _ := env.store.Suppressions(context.Background(), "acmetrading"); len(got) != 0 {
		t.Fatalf("refused requests stored %+v", got)
	}

	var sup screening.Suppression
	if resp := env.do("POST", path, reviewer, map[string]string{"entry_key": "meti_eul:7", "party": "payer", "reason": "Acme Holdings is a Hong Kong bank, not the listed firm"}, &sup); resp.StatusCode != 201 {
		t.Fatalf("suppress: %d", resp.StatusCode)
	}
	if sup.EntryHash != "h7" || sup.CaseID != caseID || sup.CounterpartyKey == "" {
		t.Fatalf("stored %+v", sup)
	}
	got, err := env.store.Suppressions(context.Background(), sup.CounterpartyKey)
	if err != nil || len(got) != 1 || got[0].EntryKey != "meti_eul:7" {
		t.Fatalf("suppressions of %s: %+v, %v", sup.CounterpartyKey, got, err)
	}
	recs, _ := env.store.Audit(context.Background(), screening.AuditFilter{Kind: screening.AuditSuppression})
	if len(recs) != 1 || !strings.Contains(string(recs[0].Data), `"party":"payer"`) {
		t.Errorf("suppression audit %+v", recs)
	}
	if resp := env.do("POST", path, env.key(screening.RoleERP), map[string]string{"entry_key": "ofac_sdn:100", "reason": "x"}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("erp suppressing: %d, want 403", resp.StatusCode)
	}
}

// TestGoodGuySuppression runs the whole "good guy" path with the real
// denied_party check: a hit blocks, a reviewer marks it a false positive, the
// next screening of the same counterparty shows it suppressed without points,
// and a change of the list entry brings it back.
func TestGoodGuySuppression(t *testing.T) {
	settings := newTestEnv(t).engine.Settings
	lists := &screening.Lists{}
	entry := screening.Entry{Source: "meti_eul", SourceID: "501", Kind: screening.KindOrganisation,
		Names: []screening.EntryName{{Value: "Tehran Precision Industries", Strength: screening.NamePrimary}}, Countries: []string{"IR"}}
	load := func(e screening.Entry) {
		set, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: e.ContentHash(), Count: 1, Entries: []screening.Entry{e}}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		lists.Swap(set)
	}
	load(entry)
	var env *testEnv
	env = newTestEnv(t, screening.NewDeniedPartyCheck(settings.DeniedParty, lists, suppressionsOf(func() screening.Store { return env.store })))
	sales, reviewer := env.key(screening.RoleSales), env.key(screening.RoleReviewer)
	inquiry := func(ref string) map[string]any {
		inq := designInquiry(ref)
		inq["customer"] = map[string]any{"name": "Tehran Precision Industries", "country": "IR"}
		delete(inq, "end_user")
		return inq
	}
	screen := func(ref string) screening.Result {
		var res screening.Result
		if resp := env.do("POST", "/v1/screenings", sales, inquiry(ref), &res); resp.StatusCode != 201 {
			t.Fatalf("screen %s: %d", ref, resp.StatusCode)
		}
		return res
	}
	hit := func(res screening.Result) screening.Flag {
		for _, f := range res.Flags {
			if f.Code == DeniedPartyCode && f.Evidence["entry_key"] == "meti_eul:501" {
				return f
			}
		}
		t.Fatalf("screening %s has no hit on meti_eul:501: %+v", res.ID, res.Flags)
		return screening.Flag{}
	}

	first := screen("GG-1")
	if f := hit(first); f.Suppressed || first.Action != screening.ActionBlock || first.CaseID == "" {
		t.Fatalf("first screening: action %s, flag %+v", first.Action, f)
	}
	if resp := env.do("POST", "/v1/cases/"+first.CaseID+"/suppressions", reviewer,
		map[string]string{"entry_key": "meti_eul:501", "reason": "checked: a different company of the same name"}, nil); resp.StatusCode != 201 {
		t.Fatalf("suppress: %d", resp.StatusCode)
	}

	second := screen("GG-2")
	if f := hit(second); !f.Suppressed || f.Points != 0 || second.Action != screening.ActionProceed || second.Score != 0 {
		t.Fatalf("after suppression: action %s score %d flag %+v, want the hit shown as suppressed with no points", second.Action, second.Score, f)
	}

	entry.Remarks = "address added by the list owner"
	load(entry)
	third := screen("GG-3")
	if f := hit(third); f.Suppressed || third.Action != screening.ActionBlock {
		t.Fatalf("after the entry changed: action %s flag %+v, want the hit back", third.Action, f)
	}
}

// suppressionsOf reads suppressions from a store made after the check.
type suppressionsOf func() screening.Store

func (s suppressionsOf) Suppressions(ctx context.Context, key string) ([]screening.Suppression, error) {
	return s().Suppressions(ctx, key)
}
