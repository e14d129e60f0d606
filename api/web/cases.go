package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// The reviewers' pages: the queue of held screenings and the case page where
// a reviewer reads the evidence beside the list entry and decides.

// maxQueue bounds how many cases the queue reads to sort them; past it the
// page says that the list is cut and filters narrow it.
const maxQueue = 1000

type queueRow struct {
	ID, Customer, Level, LevelText, Action, ActionText, Status, StatusText, Age, Created string
	Score                                                                                int
	Flags                                                                                []string
	Pending                                                                              bool
}

type casesView struct {
	Rows          []queueRow
	Status        string
	Level         string
	Customer      string
	Flag          string
	StatusOptions []option
	LevelOptions  []option
	FlagOptions   []option
	Truncated     bool
}

// queueStatuses are the status filter's choices; "waiting" (open and
// escalated) is the default, since that is the work to do.
var queueStatuses = map[string][]string{
	"waiting":               {screening.CaseOpen, screening.CaseEscalated},
	screening.CaseOpen:      {screening.CaseOpen},
	screening.CaseEscalated: {screening.CaseEscalated},
	screening.CaseCleared:   {screening.CaseCleared},
	screening.CaseRejected:  {screening.CaseRejected},
	"all":                   {""},
}

var flagCodes = []string{"denied_party", "spec_use_mismatch", "shared_contact", "payer_mismatch", "end_user_change", "duplicate_inquiry", "no_website"}

func levelRank(l screening.Level) int {
	switch l {
	case screening.LevelHigh:
		return 0
	case screening.LevelMedium:
		return 1
	}
	return 2
}

// casesPage is the queue: cases sorted by level (high first), then by age
// (oldest first), filtered by status, level, flag and customer name.
func (u *UI) casesPage(c *gin.Context) {
	l := langOf(c)
	ctx := c.Request.Context()
	v := casesView{Status: c.DefaultQuery("status", "waiting"), Level: c.Query("level"), Customer: strings.TrimSpace(c.Query("customer")), Flag: c.Query("flag")}
	statuses, ok := queueStatuses[v.Status]
	if !ok {
		v.Status, statuses = "waiting", queueStatuses["waiting"]
	}
	switch screening.Level(v.Level) {
	case "", screening.LevelLow, screening.LevelMedium, screening.LevelHigh:
	default:
		v.Level = ""
	}
	if !containsString(flagCodes, v.Flag) {
		v.Flag = ""
	}
	for _, s := range []string{"waiting", screening.CaseOpen, screening.CaseEscalated, screening.CaseCleared, screening.CaseRejected, "all"} {
		v.StatusOptions = append(v.StatusOptions, option{Value: s, Label: l.T("status." + s), Selected: s == v.Status})
	}
	for _, s := range []string{"", "high", "medium", "low"} {
		label := l.T("filter.any")
		if s != "" {
			label = l.T("level." + s)
		}
		v.LevelOptions = append(v.LevelOptions, option{Value: s, Label: label, Selected: s == v.Level})
	}
	v.FlagOptions = append(v.FlagOptions, option{Value: "", Label: l.T("filter.any"), Selected: v.Flag == ""})
	for _, f := range flagCodes {
		v.FlagOptions = append(v.FlagOptions, option{Value: f, Label: l.flagTitle(f), Selected: f == v.Flag})
	}
	customerKey := names.Key(v.Customer)
	var all []*screening.Case
	for _, st := range statuses {
		cursor := ""
		for {
			page, next, err := u.o.Store.ListCases(ctx, screening.CaseFilter{Status: st, Level: screening.Level(v.Level), Limit: 500, Cursor: cursor})
			if err != nil {
				u.fail(c, err)
				return
			}
			all = append(all, page...)
			if next == "" || len(all) >= maxQueue {
				v.Truncated = next != ""
				break
			}
			cursor = next
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if ri, rj := levelRank(all[i].Level), levelRank(all[j].Level); ri != rj {
			return ri < rj
		}
		return all[i].CreatedAt.Before(all[j].CreatedAt)
	})
	now := u.o.Now()
	for _, cs := range all {
		if customerKey != "" && !strings.Contains(cs.CustomerKey, customerKey) && !strings.Contains(names.Key(cs.Customer), customerKey) {
			continue
		}
		if v.Flag != "" && !containsString(cs.FlagCodes, v.Flag) {
			continue
		}
		r := queueRow{ID: cs.ID, Customer: cs.Customer, Level: string(cs.Level), LevelText: l.T("level." + string(cs.Level)),
			Action: string(cs.Action), ActionText: l.T("action.short." + string(cs.Action)), Status: cs.Status, StatusText: l.T("status." + cs.Status),
			Age: l.age(now.Sub(cs.CreatedAt)), Created: l.dateTime(cs.CreatedAt), Score: cs.Score}
		if _, r.Pending = screening.PendingClear(cs); r.Pending {
			r.StatusText = l.T("status.pending")
		}
		for _, f := range cs.FlagCodes {
			r.Flags = append(r.Flags, l.flagTitle(f))
		}
		v.Rows = append(v.Rows, r)
	}
	u.render(c, http.StatusOK, "cases", l.T("cases.title"), "cases", v)
}

// entryView is a list entry as the case page shows it beside the party.
type entryView struct {
	Key        string
	ListName   string
	Kind       string
	Names      []entryNameView
	Countries  string
	Addresses  []string
	IDs        []string
	Programs   string
	ListedOn   string
	Remarks    string
	SourceURL  string
	Attributes [][2]string
	Missing    bool // not in the loaded lists any more (the list changed)
}

type entryNameView struct {
	Value    string
	Strength string
	From     string // the listed name Value was read out of
	Matched  bool
}

// hitView is one flag on the case page; denied-party hits carry the party and
// the list entry for the side-by-side view and a suppression form.
type hitView struct {
	Flag     flagView
	Party    *partySummary
	Entry    *entryView
	Error    string // of the suppression form
	Reason   string
	Suppress bool // the hit may be marked a false positive
}

type decisionView struct {
	Decision, DecisionText, Reason, By, Role, At string
	Pending                                      bool
}

type caseView struct {
	ID           string
	ScreeningID  string
	Customer     string
	Status       string
	StatusText   string
	Level        string
	LevelText    string
	Action       string
	ActionText   string
	Score        int
	Gauge        gauge
	Created      string
	Decided      bool
	PendingBy    string
	Decisions    []decisionView
	Hits         []hitView
	Reasons      []string
	Parties      []partySummary
	Items        []screening.Item
	EndUse       string
	Destination  string
	Reference    string
	Flash        string
	DecideError  string
	Reason       string
	ReasonError  string
	FourEyesNote string
}

// caseForm is what a failed POST hands back to the page.
type caseForm struct {
	decideError, reasonError, reason string
	hitEntry, hitParty, hitError     string
	hitReason                        string
}

func (u *UI) casePage(c *gin.Context) {
	u.renderCase(c, http.StatusOK, caseForm{})
}

func (u *UI) renderCase(c *gin.Context, status int, form caseForm) {
	l := langOf(c)
	ctx := c.Request.Context()
	cs, err := u.o.Store.Case(ctx, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	scr, err := u.o.Store.Screening(ctx, cs.ScreeningID)
	if err != nil {
		u.fail(c, fmt.Errorf("case %s: load screening %s: %w", cs.ID, cs.ScreeningID, err))
		return
	}
	v := caseView{
		ID: cs.ID, ScreeningID: scr.ID, Customer: cs.Customer, Status: cs.Status, StatusText: l.T("status." + cs.Status),
		Level: string(scr.Level), LevelText: l.T("level." + string(scr.Level)), Action: string(scr.Action),
		ActionText: l.T("action." + string(scr.Action)), Score: scr.Score, Gauge: newGauge(l, scr.Score, scr.Level, u.scoring()),
		Created: l.dateTime(cs.CreatedAt), Decided: cs.Status == screening.CaseCleared || cs.Status == screening.CaseRejected,
		Reasons: scr.Reasons, Parties: partySummaries(l, &scr.Inquiry), Items: scr.Inquiry.Items, EndUse: scr.Inquiry.EndUse,
		Destination: scr.Inquiry.DestinationCountry, Reference: scr.Reference,
		DecideError: form.decideError, Reason: form.reason, ReasonError: form.reasonError,
	}
	if done := c.Query("done"); done != "" {
		v.Flash = l.T("flash." + done)
	}
	if by, ok := screening.PendingClear(cs); ok {
		v.PendingBy = by
		v.StatusText = l.T("status.pending")
	}
	if cs.Action == screening.ActionBlock && u.o.Settings != nil && u.o.Settings.Cases.FourEyesForBlock {
		v.FourEyesNote = l.T("case.foureyes")
	}
	for _, d := range cs.Decisions {
		v.Decisions = append(v.Decisions, decisionView{Decision: d.Decision, DecisionText: l.T("decision." + d.Decision), Reason: d.Reason,
			By: firstNonEmpty(d.KeyName, d.KeyID), Role: d.Role, At: l.dateTime(d.At), Pending: d.Pending})
	}
	set := u.o.Lists.Current()
	for _, f := range flagViews(l, scr.Flags) {
		h := hitView{Flag: f}
		if f.Code == "denied_party" {
			for _, p := range partySummaries(l, &scr.Inquiry) {
				if p.Role == f.Party {
					h.Party = &p
				}
			}
			h.Entry = entryOf(l, set, f)
			h.Suppress = !f.Suppressed && !v.Decided
			if form.hitEntry == f.EntryKey && form.hitParty == f.Party {
				h.Error, h.Reason = form.hitError, form.hitReason
			}
		}
		v.Hits = append(v.Hits, h)
	}
	u.render(c, status, "case", l.F("case.title", cs.Customer), "cases", v)
}

// entryOf finds the list entry of a denied-party flag in the loaded lists.
func entryOf(l lang, set *screening.ListSet, f flagView) *entryView {
	if f.EntryKey == "" {
		return nil
	}
	source, _, _ := strings.Cut(f.EntryKey, ":")
	_, ja := screening.ListName(source)
	en, _ := screening.ListName(source)
	ev := &entryView{Key: f.EntryKey, ListName: en}
	if l == langJA {
		ev.ListName = ja
	}
	var e *screening.Entry
	if set != nil {
		e, _ = set.Entry(f.EntryKey)
	}
	if e == nil {
		ev.Missing = true
		return ev
	}
	ev.Kind = l.T("kind." + string(e.Kind))
	for _, n := range e.Names {
		ev.Names = append(ev.Names, entryNameView{Value: n.Value, Strength: l.T("strength." + string(n.Strength)), From: n.From, Matched: n.Value == f.MatchedName})
	}
	ev.Countries = strings.Join(e.Countries, ", ")
	for _, a := range e.Addresses {
		s := a.Full
		if s == "" {
			s = strings.Join(nonEmpty(a.Street, a.City, a.Region, a.Postal, a.Country), ", ")
		}
		if s != "" {
			ev.Addresses = append(ev.Addresses, s)
		}
	}
	for _, id := range e.Identifiers {
		ev.IDs = append(ev.IDs, strings.Join(nonEmpty(id.Type, id.Value, id.Country), " "))
	}
	ev.Programs = strings.Join(e.Programs, ", ")
	ev.ListedOn, ev.Remarks = e.ListedOn, e.Remarks
	if strings.HasPrefix(e.SourceURL, "https://") || strings.HasPrefix(e.SourceURL, "http://") {
		ev.SourceURL = e.SourceURL
	}
	keys := make([]string, 0, len(e.Attributes))
	for k := range e.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ev.Attributes = append(ev.Attributes, [2]string{k, e.Attributes[k]})
	}
	return ev
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

// decide records the decision of the button pressed, with the reason typed.
// Four-eyes and the other rules are screening.Decide's, through Actions.
func (u *UI) decide(c *gin.Context) {
	l := langOf(c)
	decision, reason := c.PostForm("decision"), c.PostForm("reason")
	if why := screening.CheckReason(reason); why != "" {
		u.renderCase(c, http.StatusUnprocessableEntity, caseForm{reason: reason, reasonError: l.reasonError(why)})
		return
	}
	cs, err := u.o.Actions.Decide(c.Request.Context(), sessionOf(c).key, c.Param("id"), decision, reason)
	if err != nil {
		form := caseForm{reason: reason}
		var e *screening.Error
		switch code := screening.ErrorCode(err); code {
		case screening.EINVALID:
			if errors.As(err, &e) && e.Fields["reason"] != "" {
				form.reasonError = l.reasonError(e.Fields["reason"])
			} else {
				form.decideError = screening.ErrorMessage(err)
			}
		case screening.EFORBIDDEN, screening.ECONFLICT:
			form.decideError = screening.ErrorMessage(err)
		default:
			u.fail(c, err)
			return
		}
		u.renderCase(c, statusFor(screening.ErrorCode(err)), form)
		return
	}
	done := decision
	if n := len(cs.Decisions); n > 0 && cs.Decisions[n-1].Pending {
		done = "pending"
	}
	c.Redirect(http.StatusSeeOther, "/ui/cases/"+url.PathEscape(cs.ID)+"?done="+url.QueryEscape(done))
}

// suppress marks a denied-party hit of the case as a false positive.
func (u *UI) suppress(c *gin.Context) {
	l := langOf(c)
	entry, party, reason := c.PostForm("entry_key"), c.PostForm("party"), c.PostForm("reason")
	form := caseForm{hitEntry: entry, hitParty: party, hitReason: reason}
	if why := screening.CheckReason(reason); why != "" {
		form.hitError = l.reasonError(why)
		u.renderCase(c, http.StatusUnprocessableEntity, form)
		return
	}
	if err := u.o.Actions.Suppress(c.Request.Context(), sessionOf(c).key, c.Param("id"), entry, party, reason); err != nil {
		switch screening.ErrorCode(err) {
		case screening.EINVALID, screening.EUNPROCESSABLE, screening.EFORBIDDEN, screening.ECONFLICT:
			form.hitError = screening.ErrorMessage(err)
			u.renderCase(c, statusFor(screening.ErrorCode(err)), form)
		default:
			u.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/ui/cases/"+url.PathEscape(c.Param("id"))+"?done=suppressed")
}

func statusFor(code string) int {
	switch code {
	case screening.EFORBIDDEN:
		return http.StatusForbidden
	case screening.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// age says how long ago, the way a queue shows it.
func (l lang) age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return l.F("age.minutes", max(int(d/time.Minute), 0))
	case d < 48*time.Hour:
		return l.F("age.hours", int(d/time.Hour))
	}
	return l.F("age.days", int(d/(24*time.Hour)))
}
