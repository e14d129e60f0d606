package screening

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/hikiai/hikiai/screening/names"
)

// CodeSharedContact is raised when a party gives an e-mail address, phone,
// fax, street address or company mail domain that a different company gave
// before (METI 異なる企業の連絡先が同一).
const CodeSharedContact = "shared_contact"

// Contact value kinds, as they appear in evidence.
const (
	ContactEmail   = "email"
	ContactDomain  = "domain"
	ContactPhone   = "phone"
	ContactFax     = "fax"
	ContactAddress = "address"
)

// SharedContactSettings tune the shared_contact check (rules/shared_contact.yaml).
type SharedContactSettings struct {
	Disabled bool `yaml:"disabled"`
	// Window is how far back (and forward, for late arrivals) another company's
	// use of the value counts; 0 means any time.
	Window time.Duration `yaml:"window"`
	// Roles are the parties whose contact values are compared: customer,
	// end_user, consignee, payer, intermediary.
	Roles []string `yaml:"roles"`
	// Points per kind of value shared; a party sharing several kinds gets the
	// highest plus ExtraKindPoints for each further kind, up to MaxPoints.
	EmailPoints     int `yaml:"email_points"`
	PhonePoints     int `yaml:"phone_points"`
	FaxPoints       int `yaml:"fax_points"`
	AddressPoints   int `yaml:"address_points"`
	DomainPoints    int `yaml:"domain_points"`
	ExtraKindPoints int `yaml:"extra_kind_points"`
	MaxPoints       int `yaml:"max_points"`
	// AddressMinWords and AddressNeedsNumber keep vague addresses ("Beijing")
	// out of the comparison.
	AddressMinWords    int  `yaml:"address_min_words"`
	AddressNeedsNumber bool `yaml:"address_needs_number"`
	// AddressAbbreviations expand words before addresses are compared
	// ("st": "street", "bldg": "building").
	AddressAbbreviations map[string]string `yaml:"address_abbreviations"`
	// MaxCompanies bounds how many other companies the evidence lists per value.
	MaxCompanies int `yaml:"max_companies"`
}

var contactRoles = map[string]bool{RoleCustomer: true, RoleEndUser: true, RoleConsignee: true, RolePayer: true, RoleIntermediary: true}

// Validate checks the shared_contact settings.
func (s *SharedContactSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	if err := validWindow("window", s.Window, 20*366*24*time.Hour); err != nil {
		return err
	}
	if len(s.Roles) == 0 {
		return errors.New("roles: at least one role is needed")
	}
	for i, r := range s.Roles {
		if !contactRoles[r] {
			return fmt.Errorf("roles[%d]: %q is not one of customer, end_user, consignee, payer, intermediary", i, r)
		}
	}
	for name, p := range map[string]int{"email_points": s.EmailPoints, "phone_points": s.PhonePoints, "fax_points": s.FaxPoints,
		"address_points": s.AddressPoints, "domain_points": s.DomainPoints, "extra_kind_points": s.ExtraKindPoints, "max_points": s.MaxPoints} {
		if err := validPoints(name, p); err != nil {
			return err
		}
	}
	if s.AddressMinWords < 1 || s.AddressMinWords > 20 {
		return fmt.Errorf("address_min_words: %d is not within 1..20", s.AddressMinWords)
	}
	if s.MaxCompanies < 1 || s.MaxCompanies > 100 {
		return fmt.Errorf("max_companies: %d is not within 1..100", s.MaxCompanies)
	}
	for k, v := range s.AddressAbbreviations {
		if len(tokens(k)) != 1 {
			return fmt.Errorf("address_abbreviations: %q must be one word", k)
		}
		if len(tokens(v)) == 0 {
			return fmt.Errorf("address_abbreviations.%s: empty", k)
		}
	}
	return nil
}

// validateFreeMailDomains checks the shared list of free-mail domains.
func validateFreeMailDomains(list []string) error {
	seen := map[string]bool{}
	for i, d := range list {
		f := strings.TrimSpace(foldText(d))
		if f == "" || strings.ContainsAny(f, " @/") || !strings.Contains(f, ".") {
			return fmt.Errorf("[%d]: %q is not a mail domain such as gmail.com", i, d)
		}
		if seen[f] {
			return fmt.Errorf("[%d]: %q is listed twice", i, d)
		}
		seen[f] = true
	}
	return nil
}

// SharedContactCheck raises shared_contact.
type SharedContactCheck struct {
	s        SharedContactSettings
	freeMail map[string]bool
	abbrev   map[string]string
	roles    map[string]bool
	phone    func(raw, country string) (string, bool)
}

// NewSharedContactCheck builds the check from validated settings, the
// free-mail domain list and a phone normaliser (nil: only numbers written in
// international form, "+86 ...", are compared).
func NewSharedContactCheck(s SharedContactSettings, freeMail []string, normalizePhone func(raw, country string) (string, bool)) *SharedContactCheck {
	c := &SharedContactCheck{s: s, freeMail: map[string]bool{}, abbrev: map[string]string{}, roles: map[string]bool{}, phone: normalizePhone}
	for _, d := range freeMail {
		c.freeMail[strings.TrimSpace(foldText(d))] = true
	}
	for k, v := range s.AddressAbbreviations {
		c.abbrev[tokens(k)[0]] = strings.Join(tokens(v), " ")
	}
	for _, r := range s.Roles {
		c.roles[r] = true
	}
	if c.phone == nil {
		c.phone = internationalOnly
	}
	return c
}

// internationalOnly is the phone normaliser used when none is given: a number
// written with its country code ("+86 10 1234 5678") keeps its digits; a
// national number cannot be compared without knowing the numbering plan.
func internationalOnly(raw, _ string) (string, bool) {
	s := strings.TrimSpace(norm.NFKC.String(raw))
	if !strings.HasPrefix(s, "+") {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 8 {
		return "", false
	}
	return b.String(), true
}

// Code implements Check.
func (c *SharedContactCheck) Code() string { return CodeSharedContact }

// contactValue is one comparable value a party gave.
type contactValue struct {
	kind       string
	key        string // history key: "email:a@b.cn", "phone:+86...", ...
	written    string
	normalized string
}

// valuesOf is partyValues, worked out once per screening: History and Run
// both need them, and parsing phone numbers is not cheap.
func (c *SharedContactCheck) valuesOf(in *Input, p *Party, fallbackCountry string) []contactValue {
	if in.memo == nil {
		return c.partyValues(p, fallbackCountry)
	}
	in.memo.mu.Lock()
	vs, ok := in.memo.contacts[p]
	in.memo.mu.Unlock()
	if !ok {
		vs = c.partyValues(p, fallbackCountry)
		in.memo.mu.Lock()
		in.memo.contacts[p] = vs
		in.memo.mu.Unlock()
	}
	return vs
}

// partyValues lists the comparable values of one party, each key once.
func (c *SharedContactCheck) partyValues(p *Party, fallbackCountry string) []contactValue {
	var out []contactValue
	seen := map[string]bool{}
	add := func(v contactValue) {
		if v.normalized != "" && !seen[v.key] {
			seen[v.key] = true
			out = append(out, v)
		}
	}
	if addr, domain := emailKey(p.Email); addr != "" {
		add(contactValue{ContactEmail, "email:" + addr, p.Email, addr})
		if !domainIn(domain, c.freeMail) {
			add(contactValue{ContactDomain, "domain:" + domain, domain, domain})
		}
	}
	country := p.Country
	if country == "" {
		country = fallbackCountry
	}
	for _, ph := range []struct{ kind, raw string }{{ContactPhone, p.Phone}, {ContactFax, p.Fax}} {
		if strings.TrimSpace(ph.raw) == "" {
			continue
		}
		if e164, ok := c.phone(ph.raw, country); ok {
			// Phone and fax share one key: a fax number of one company that is
			// the phone number of another is the same line.
			add(contactValue{ph.kind, "phone:" + e164, ph.raw, e164})
		}
	}
	if k := addressKey(p.Address, c.abbrev, c.s.AddressMinWords, c.s.AddressNeedsNumber); k != "" {
		add(contactValue{ContactAddress, "address:" + k, p.Address, k})
	}
	return out
}

// parties lists the parties the check compares, with their role class.
func (c *SharedContactCheck) parties(inq *Inquiry) []RoledParty {
	var out []RoledParty
	for _, p := range inq.Parties() {
		class := p.Role
		if strings.HasPrefix(class, "intermediaries[") {
			class = RoleIntermediary
		}
		if c.roles[class] {
			out = append(out, p)
		}
	}
	return out
}

// fallbackCountry is the country a national phone number of a party without
// one is read in: the customer's, else the destination.
func fallbackCountry(inq *Inquiry) string {
	if inq.Customer.Country != "" {
		return inq.Customer.Country
	}
	return inq.DestinationCountry
}

// History implements Indexer: one contact entry per value per party.
func (c *SharedContactCheck) History(in *Input) []HistoryEntry {
	var out []HistoryEntry
	fb := fallbackCountry(in.Inquiry)
	for _, p := range c.parties(in.Inquiry) {
		nk := in.NameKey(p.Party.Name)
		for _, v := range c.valuesOf(in, p.Party, fb) {
			out = append(out, HistoryEntry{
				Kind: HistoryContact, Key: v.key, Party: p.Role, Name: p.Party.Name, NameKey: nk,
				Country: p.Party.Country, Value: v.written, Window: c.s.Window,
				// Only other companies count; a customer's own hundred inquiries
				// must not push them out of history_limit.
				OthersOnly: true,
			})
		}
	}
	return out
}

// otherCompany is a different company that gave the same value.
type otherCompany struct {
	Name        string    `json:"name"`
	Party       string    `json:"party"`
	Country     string    `json:"country,omitempty"`
	ScreeningID string    `json:"screening_id"`
	Reference   string    `json:"reference,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	Value       string    `json:"value,omitempty"` // as the other company wrote it
}

// sharedValue is one value of the party that other companies gave too.
type sharedValue struct {
	Kind       string         `json:"kind"`
	Value      string         `json:"value"`
	Normalized string         `json:"normalized"`
	Companies  []otherCompany `json:"companies"`
	// CompaniesTotal counts the companies when more than the evidence lists.
	CompaniesTotal int `json:"companies_total"`
}

func (c *SharedContactCheck) kindPoints(kind string) int {
	switch kind {
	case ContactEmail:
		return c.s.EmailPoints
	case ContactPhone:
		return c.s.PhonePoints
	case ContactFax:
		return c.s.FaxPoints
	case ContactAddress:
		return c.s.AddressPoints
	case ContactDomain:
		return c.s.DomainPoints
	}
	return 0
}

var contactKindNames = map[string][2]string{
	ContactEmail:   {"e-mail address", "メールアドレス"},
	ContactDomain:  {"e-mail domain", "メールのドメイン"},
	ContactPhone:   {"phone number", "電話番号"},
	ContactFax:     {"fax number", "FAX番号"},
	ContactAddress: {"address", "住所"},
}

// Run implements Check.
func (c *SharedContactCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	inq := in.Inquiry
	group := groupKeys(in)
	fb := fallbackCountry(inq)
	var flags []Flag
	for _, p := range c.parties(inq) {
		nk := in.NameKey(p.Party.Name)
		sameCompany := func(other string) bool {
			return other == nk || group[nk] && group[other]
		}
		var shared []sharedValue
		// A company whose e-mail address matched is not counted again for
		// the domain of that address.
		byEmail := map[string]bool{}
		for _, v := range c.valuesOf(in, p.Party, fb) {
			sv := sharedValue{Kind: v.kind, Value: v.written, Normalized: v.normalized}
			seen := map[string]bool{}
			for _, e := range in.Seen(HistoryContact, v.key) {
				ok := e.NameKey
				if ok == "" {
					ok = names.Key(e.Name)
				}
				if !within(e.At, in.ReceivedAt, c.s.Window) || sameCompany(ok) || seen[ok] {
					continue
				}
				if v.kind == ContactDomain && byEmail[ok] {
					continue
				}
				seen[ok] = true
				if v.kind == ContactEmail {
					byEmail[ok] = true
				}
				sv.CompaniesTotal++
				if len(sv.Companies) < c.s.MaxCompanies {
					sv.Companies = append(sv.Companies, otherCompany{
						Name: e.Name, Party: e.Party, Country: e.Country, ScreeningID: e.ScreeningID,
						Reference: e.Reference, ReceivedAt: e.At.UTC(), Value: e.Value,
					})
				}
			}
			if sv.CompaniesTotal > 0 {
				sort.SliceStable(sv.Companies, func(i, j int) bool { return sv.Companies[i].ReceivedAt.Before(sv.Companies[j].ReceivedAt) })
				shared = append(shared, sv)
			}
		}
		if len(shared) == 0 {
			continue
		}
		flags = append(flags, c.flag(p, shared))
	}
	return flags, nil
}

func (c *SharedContactCheck) flag(p RoledParty, shared []sharedValue) Flag {
	// Strongest kind first, so the message and the points lead with it.
	sort.SliceStable(shared, func(i, j int) bool { return c.kindPoints(shared[i].Kind) > c.kindPoints(shared[j].Kind) })
	points := c.kindPoints(shared[0].Kind)
	kinds := map[string]bool{shared[0].Kind: true}
	var kindsEN, kindsJA []string
	var companies []string
	seenCompany := map[string]bool{}
	for _, sv := range shared {
		if !kinds[sv.Kind] {
			kinds[sv.Kind] = true
			points += c.s.ExtraKindPoints
		}
		n := contactKindNames[sv.Kind]
		kindsEN = appendNew(kindsEN, fmt.Sprintf("%s (%s)", n[0], sv.Value))
		kindsJA = appendNew(kindsJA, fmt.Sprintf("%s（%s）", n[1], sv.Value))
		for _, o := range sv.Companies {
			label := o.Name
			if o.Reference != "" {
				label += " / " + o.Reference
			}
			if !seenCompany[o.Name] {
				seenCompany[o.Name] = true
				companies = append(companies, label)
			}
		}
	}
	points = min(points, c.s.MaxPoints)
	roleEN, roleJA := roleName(p.Role)
	verb, company := "was", "a different company"
	if len(kindsEN) > 1 {
		verb = "were"
	}
	if len(companies) > 1 {
		company = "different companies"
	}
	en := fmt.Sprintf("The %s's %s %s given before by %s: %s. Different companies sharing contact details can mean a front company or a hidden buyer. Check that %s is a real, separate company and how it is linked to the others.",
		roleEN, joinAnd(kindsEN), verb, company, joinNames(companies, 3, "en"), p.Party.Name)
	ja := fmt.Sprintf("%s（%s）の%sは、以前に別の会社（%s）が使ったものと同じです。異なる会社で連絡先が同じ場合、ダミー会社や本当の買い手を隠している可能性があります。%sが実在する別会社か、相手とどういう関係かを確認してください。",
		roleJA, p.Party.Name, strings.Join(kindsJA, "・"), joinNames(companies, 3, "ja"), p.Party.Name)
	return Flag{
		Code: CodeSharedContact, Severity: severityFor(points), Points: points, Party: p.Role,
		Message: en, MessageJA: ja,
		Evidence: map[string]any{
			"party": p.Role, "name": p.Party.Name, "window_days": windowDays(c.s.Window), "shared": shared,
		},
	}
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
