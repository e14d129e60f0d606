package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// flagView is one red flag as a page shows it.
type flagView struct {
	Code         string
	Anchor       string
	Title        string // the METI wording of the red flag
	Message      string // what the check found, in the page's language
	Severity     string
	SeverityText string
	Points       int
	Party        string
	PartyText    string
	Suppressed   bool
	Meaning      string // why this matters
	Todo         string // what the sales person does about it
	Evidence     []evNode
	// Denied-party hits: the list entry, for the reviewer's side-by-side view.
	EntryKey    string
	PartyName   string
	MatchedName string
	KeyEvidence []evNode
}

// caseStatusView is where a held screening stands with the reviewers, in
// words a sales person understands.
type caseStatusView struct {
	ID        string
	Status    string
	Text      string
	Class     string // proceed, review, block: the colour of the banner
	Decided   bool   // cleared or rejected: shown as a banner above the verdict
	Reason    string
	DecidedBy string
	DecidedAt string
	Pending   bool
}

type partySummary struct {
	Role, RoleText, Name, Country, Address, Email, Phone, Website string
}

type resultView struct {
	ID          string
	Reference   string
	Customer    string
	Score       int
	Level       string
	LevelText   string
	Action      string
	ActionText  string
	ActionHint  string
	Gauge       gauge
	Case        *caseStatusView
	Flags       []flagView
	Reasons     []string
	Next        []string
	ScreenedAt  string
	Parties     []partySummary
	Items       []screening.Item
	EndUse      string
	Destination string
	CanReview   bool
}

func (u *UI) scoring() screening.Scoring {
	if u.o.Settings != nil {
		return u.o.Settings.Scoring
	}
	return screening.Scoring{}
}

// flagViews lays out the flags of a screening.
func flagViews(l lang, flags []screening.Flag) []flagView {
	out := make([]flagView, 0, len(flags))
	for i, f := range flags {
		fv := flagView{
			Code: f.Code, Anchor: "flag-" + strconv.Itoa(i+1), Title: l.flagTitle(f.Code), Message: f.Message,
			Severity: f.Severity, SeverityText: l.T("severity." + f.Severity), Points: f.Points,
			Party: f.Party, PartyText: l.roleName(f.Party), Suppressed: f.Suppressed,
			Meaning: l.flagText("meaning", f.Code), Todo: l.flagText("todo", f.Code),
			Evidence: evidenceNodes(l, f.Evidence),
		}
		if l == langJA && f.MessageJA != "" {
			fv.Message = f.MessageJA
		}
		if f.Code == "denied_party" {
			fv.EntryKey, _ = f.Evidence["entry_key"].(string)
			fv.PartyName, _ = f.Evidence["party_name"].(string)
			fv.MatchedName, _ = f.Evidence["matched_name"].(string)
			fv.KeyEvidence = pickEvidence(l, f.Evidence, keyEvidence)
		}
		out = append(out, fv)
	}
	return out
}

func partySummaries(l lang, inq *screening.Inquiry) []partySummary {
	var out []partySummary
	for _, p := range inq.Parties() {
		out = append(out, partySummary{Role: p.Role, RoleText: l.roleName(p.Role), Name: p.Party.Name, Country: p.Party.Country,
			Address: p.Party.Address, Email: p.Party.Email, Phone: p.Party.Phone, Website: p.Party.Website})
	}
	return out
}

// caseStatus describes a case for the sales view.
func caseStatus(l lang, cs *screening.Case) *caseStatusView {
	v := &caseStatusView{ID: cs.ID, Status: cs.Status}
	_, v.Pending = screening.PendingClear(cs)
	switch cs.Status {
	case screening.CaseCleared:
		v.Text, v.Class, v.Decided = l.T("case.sales.cleared"), "proceed", true
	case screening.CaseRejected:
		v.Text, v.Class, v.Decided = l.T("case.sales.rejected"), "block", true
	case screening.CaseEscalated:
		v.Text, v.Class = l.T("case.sales.escalated"), "review"
	default:
		v.Text, v.Class = l.T("case.sales.open"), "review"
		if v.Pending {
			v.Text = l.T("case.sales.pending")
		}
	}
	if n := len(cs.Decisions); n > 0 {
		d := cs.Decisions[n-1]
		v.Reason, v.DecidedBy, v.DecidedAt = d.Reason, firstNonEmpty(d.KeyName, d.KeyID), l.dateTime(d.At)
	}
	return v
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// nextSteps says what the sales person does now, by the action and, when a
// reviewer has decided, by the decision.
func nextSteps(l lang, action screening.Action, cs *caseStatusView, reasons []string) []string {
	if cs != nil {
		switch cs.Status {
		case screening.CaseCleared:
			return []string{l.T("next.cleared.1"), l.T("next.cleared.2")}
		case screening.CaseRejected:
			return []string{l.T("next.rejected.1"), l.T("next.rejected.2")}
		}
	}
	var out []string
	switch action {
	case screening.ActionProceed:
		out = []string{l.T("next.proceed.1"), l.T("next.proceed.2")}
	case screening.ActionReview:
		out = []string{l.T("next.review.1"), l.T("next.review.2"), l.T("next.review.3")}
	default:
		out = []string{l.T("next.block.1"), l.T("next.block.2"), l.T("next.block.3")}
	}
	if len(reasons) > 0 {
		out = append(out, l.T("next.degraded"))
	}
	return out
}

// loadScreening reads a screening the signed-in person may see: sales staff
// see only what their key screened (another's answers "not found", as the
// API does, so that ids reveal nothing).
func (u *UI) loadScreening(ctx context.Context, s *session, id string) (*screening.Screening, error) {
	scr, err := u.o.Store.Screening(ctx, id)
	if err == nil && !s.CanReview() && scr.KeyID != s.KeyID {
		err = screening.Errorf(screening.ENOTFOUND, "screening %s not found", id)
	}
	return scr, err
}

func (u *UI) resultPage(c *gin.Context) {
	l := langOf(c)
	s := sessionOf(c)
	ctx := c.Request.Context()
	scr, err := u.loadScreening(ctx, s, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	v := resultView{
		ID: scr.ID, Reference: scr.Reference, Customer: scr.Inquiry.Customer.Name, Score: scr.Score,
		Level: string(scr.Level), LevelText: l.T("level." + string(scr.Level)),
		Action: string(scr.Action), ActionText: l.T("action." + string(scr.Action)), ActionHint: l.T("actionhint." + string(scr.Action)),
		Gauge: newGauge(l, scr.Score, scr.Level, u.scoring()), Flags: flagViews(l, scr.Flags), Reasons: scr.Reasons,
		ScreenedAt: l.dateTime(scr.ScreenedAt), Parties: partySummaries(l, &scr.Inquiry), Items: scr.Inquiry.Items,
		EndUse: scr.Inquiry.EndUse, Destination: scr.Inquiry.DestinationCountry, CanReview: s.CanReview(),
	}
	if scr.CaseID != "" {
		cs, err := u.o.Store.Case(ctx, scr.CaseID)
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Case = caseStatus(l, cs)
	}
	v.Next = nextSteps(l, scr.Action, v.Case, scr.Reasons)
	title := l.F("result.title", scr.Inquiry.Customer.Name)
	u.render(c, http.StatusOK, "result", title, "screenings", v)
}

// screeningRow is one line of the list of screenings.
type screeningRow struct {
	ID, Customer, Reference, When string
	Score                         int
	Level, LevelText              string
	Action, ActionText            string
	Status, StatusText            string
	StatusClass                   string
}

type screeningsView struct {
	Rows       []screeningRow
	NextCursor string
	All        bool // a reviewer sees everyone's screenings
}

// screeningsPage lists recent screenings: one's own for sales staff, all for
// reviewers, with where each held one stands.
func (u *UI) screeningsPage(c *gin.Context) {
	l := langOf(c)
	s := sessionOf(c)
	ctx := c.Request.Context()
	f := screening.ScreeningFilter{Limit: 30, Cursor: c.Query("cursor")}
	if !s.CanReview() {
		f.KeyID = s.KeyID
	}
	list, next, err := u.o.Store.ListScreenings(ctx, f)
	if err != nil {
		u.fail(c, err)
		return
	}
	v := screeningsView{NextCursor: next, All: s.CanReview()}
	for _, scr := range list {
		r := screeningRow{ID: scr.ID, Customer: scr.Inquiry.Customer.Name, Reference: scr.Reference, When: l.dateTime(scr.ScreenedAt),
			Score: scr.Score, Level: string(scr.Level), LevelText: l.T("level." + string(scr.Level)),
			Action: string(scr.Action), ActionText: l.T("action." + string(scr.Action))}
		if scr.CaseID != "" {
			cs, err := u.o.Store.Case(ctx, scr.CaseID)
			if err != nil {
				u.fail(c, err)
				return
			}
			st := caseStatus(l, cs)
			r.Status, r.StatusText, r.StatusClass = cs.Status, l.T("status."+cs.Status), st.Class
			if st.Pending {
				r.StatusText = l.T("status.pending")
			}
		}
		v.Rows = append(v.Rows, r)
	}
	u.render(c, http.StatusOK, "screenings", l.T("screenings.title"), "screenings", v)
}
