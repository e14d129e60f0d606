package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// The counterparty page: every screening of a company (as the customer), the
// contact details it gave, and the other companies that gave the same ones,
// as the shared_contact check found them, in both directions: companies named
// in this company's flags, and later screenings of others flagged for sharing
// with it.

// scanRecent bounds how many recent screenings are read to find companies
// whose flags name this one.
const scanRecent = 500

type contactView struct {
	KindText string
	Value    string
	Times    int
	Last     string
}

type sharedCompany struct {
	Name        string
	Country     string
	Kinds       string // "e-mail address (a@b.cn), phone number (...)"
	ScreeningID string
	Reference   string
	When        string
	at          time.Time
}

type graphNode struct {
	X, Y   string
	LX, LY string // label position
	Label  string
	Anchor string // text-anchor
	Kinds  string
	Link   string
}

type graphView struct {
	Nodes []graphNode
	More  int
	Label string
}

type counterpartyView struct {
	Name         string
	Key          string
	Screenings   []screeningRow
	Contacts     []contactView
	Shared       []sharedCompany
	Graph        graphView
	Suppressions []suppressionView
	OwnOnly      bool // a sales key sees only the screenings it made
}

type suppressionView struct{ EntryKey, Reason, At, CaseID string }

// sharedEvidence is the part of a shared_contact flag's evidence this page reads.
type sharedEvidence struct {
	Name   string `json:"name"`
	Shared []struct {
		Kind      string `json:"kind"`
		Value     string `json:"value"`
		Companies []struct {
			Name        string    `json:"name"`
			Country     string    `json:"country"`
			ScreeningID string    `json:"screening_id"`
			Reference   string    `json:"reference"`
			ReceivedAt  time.Time `json:"received_at"`
			Value       string    `json:"value"`
		} `json:"companies"`
	} `json:"shared"`
}

func decodeShared(ev map[string]any) (sharedEvidence, bool) {
	var se sharedEvidence
	raw, err := json.Marshal(ev)
	if err != nil || json.Unmarshal(raw, &se) != nil {
		return se, false
	}
	return se, true
}

func (u *UI) counterpartyPage(c *gin.Context) {
	l := langOf(c)
	s := sessionOf(c)
	ctx := c.Request.Context()
	name := strings.TrimSpace(c.Query("name"))
	key := names.Key(name)
	if key == "" {
		c.Redirect(http.StatusSeeOther, "/ui/search")
		return
	}
	v := counterpartyView{Name: name, Key: key, OwnOnly: !s.CanReview()}
	f := screening.ScreeningFilter{CustomerKey: key, Limit: 100}
	if v.OwnOnly {
		f.KeyID = s.KeyID
	}
	list, _, err := u.o.Store.ListScreenings(ctx, f)
	if err != nil {
		u.fail(c, err)
		return
	}
	contacts := map[string]*contactView{}
	var contactOrder []string
	shared := map[string]*sharedCompany{}
	addShared := func(company, country, kind, value, scrID, ref string, at time.Time) {
		k := names.Key(company)
		if k == "" || k == key {
			return
		}
		sc, ok := shared[k]
		if !ok {
			sc = &sharedCompany{Name: company, Country: country, ScreeningID: scrID, Reference: ref, at: at}
			shared[k] = sc
		}
		label := l.contactKind(kind) + "（" + value + "）"
		if l == langEN {
			label = l.contactKind(kind) + " (" + value + ")"
		}
		if !strings.Contains(sc.Kinds, label) {
			if sc.Kinds != "" {
				sc.Kinds += l.T("list.sep")
			}
			sc.Kinds += label
		}
		if at.After(sc.at) {
			sc.at, sc.ScreeningID, sc.Reference = at, scrID, ref
		}
	}
	for _, scr := range list {
		if v.Name == name && scr.Inquiry.Customer.Name != "" && len(v.Screenings) == 0 {
			v.Name = scr.Inquiry.Customer.Name // the name as last written
		}
		row := screeningRow{ID: scr.ID, Customer: scr.Inquiry.Customer.Name, Reference: scr.Reference, When: l.dateTime(scr.ScreenedAt),
			Score: scr.Score, Level: string(scr.Level), LevelText: l.T("level." + string(scr.Level)),
			Action: string(scr.Action), ActionText: l.T("action." + string(scr.Action))}
		if scr.CaseID != "" {
			if cs, err := u.o.Store.Case(ctx, scr.CaseID); err == nil {
				st := caseStatus(l, cs)
				row.Status, row.StatusText, row.StatusClass = cs.Status, l.T("status."+cs.Status), st.Class
			} else if screening.ErrorCode(err) != screening.ENOTFOUND {
				u.fail(c, err)
				return
			}
		}
		v.Screenings = append(v.Screenings, row)
		p := scr.Inquiry.Customer
		for _, cv := range []struct{ kind, value string }{
			{screening.ContactEmail, p.Email}, {screening.ContactPhone, p.Phone}, {screening.ContactFax, p.Fax},
			{screening.ContactAddress, p.Address}, {"website", p.Website},
		} {
			if strings.TrimSpace(cv.value) == "" {
				continue
			}
			ck := cv.kind + "\x00" + strings.ToLower(strings.Join(strings.Fields(nfkc(cv.value)), " "))
			ct, ok := contacts[ck]
			if !ok {
				ct = &contactView{KindText: l.contactKind(cv.kind), Value: cv.value, Last: l.dateTime(scr.ScreenedAt)}
				contacts[ck] = ct
				contactOrder = append(contactOrder, ck)
			}
			ct.Times++
		}
		for _, fl := range scr.Flags {
			if fl.Code != screening.CodeSharedContact || fl.Party != screening.RoleCustomer {
				continue
			}
			se, ok := decodeShared(fl.Evidence)
			if !ok {
				continue
			}
			for _, sv := range se.Shared {
				for _, o := range sv.Companies {
					addShared(o.Name, o.Country, sv.Kind, sv.Value, o.ScreeningID, o.Reference, o.ReceivedAt)
				}
			}
		}
	}
	for _, ck := range contactOrder {
		v.Contacts = append(v.Contacts, *contacts[ck])
	}
	// The other direction: later screenings of other companies whose flags say
	// they gave this company's contact details.
	rf := screening.ScreeningFilter{Limit: scanRecent}
	if v.OwnOnly {
		rf.KeyID = s.KeyID
	}
	recent, _, err := u.o.Store.ListScreenings(ctx, rf)
	if err != nil {
		u.fail(c, err)
		return
	}
	for _, scr := range recent {
		for _, fl := range scr.Flags {
			if fl.Code != screening.CodeSharedContact {
				continue
			}
			se, ok := decodeShared(fl.Evidence)
			if !ok {
				continue
			}
			for _, sv := range se.Shared {
				for _, o := range sv.Companies {
					if names.Key(o.Name) == key {
						addShared(se.Name, partyCountry(&scr.Inquiry, fl.Party), sv.Kind, sv.Value, scr.ID, scr.Reference, scr.ScreenedAt)
					}
				}
			}
		}
	}
	for _, sc := range shared {
		sc.When = l.dateTime(sc.at)
		v.Shared = append(v.Shared, *sc)
	}
	sort.Slice(v.Shared, func(i, j int) bool { return v.Shared[i].at.After(v.Shared[j].at) })
	v.Graph = newGraph(l, v.Name, v.Shared)
	if s.CanReview() {
		sups, err := u.o.Store.Suppressions(ctx, key)
		if err != nil {
			u.fail(c, err)
			return
		}
		for _, sp := range sups {
			v.Suppressions = append(v.Suppressions, suppressionView{EntryKey: sp.EntryKey, Reason: sp.Reason, At: l.dateTime(sp.At), CaseID: sp.CaseID})
		}
	}
	u.render(c, http.StatusOK, "counterparty", v.Name, "search", v)
}

func partyCountry(inq *screening.Inquiry, role string) string {
	for _, p := range inq.Parties() {
		if p.Role == role {
			return p.Party.Country
		}
	}
	return ""
}

// graphMax is how many companies the picture shows; the table lists all.
const graphMax = 8

// newGraph places the company in the middle and the companies sharing its
// contacts on a circle around it.
func newGraph(l lang, name string, shared []sharedCompany) graphView {
	g := graphView{Label: l.F("graph.label", name, len(shared))}
	n := min(len(shared), graphMax)
	g.More = len(shared) - n
	const cx, cy, r = 300.0, 170.0, 120.0
	for i := range n {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		x, y := cx+r*math.Cos(a), cy+r*math.Sin(a)
		anchor, lx := "middle", x
		switch {
		case math.Cos(a) > 0.3:
			anchor, lx = "start", x+14
		case math.Cos(a) < -0.3:
			anchor, lx = "end", x-14
		}
		ly := y + 5
		if math.Abs(math.Cos(a)) <= 0.3 {
			ly = y - 16
			if math.Sin(a) > 0 {
				ly = y + 28
			}
		}
		g.Nodes = append(g.Nodes, graphNode{
			X: fmt.Sprintf("%.1f", x), Y: fmt.Sprintf("%.1f", y), LX: fmt.Sprintf("%.1f", lx), LY: fmt.Sprintf("%.1f", ly),
			Label: truncate(shared[i].Name, 18), Anchor: anchor, Kinds: shared[i].Kinds,
		})
	}
	return g
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
