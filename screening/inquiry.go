package screening

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Inquiry is what a sales person or an ERP system sends to be screened: the
// parties of a prospective deal, the items asked for and the declared use.
type Inquiry struct {
	Reference          string    `json:"reference,omitempty"`
	Deal               string    `json:"deal,omitempty"`
	ReceivedAt         time.Time `json:"received_at,omitzero"`
	Customer           Party     `json:"customer"`
	EndUser            *Party    `json:"end_user,omitempty"`
	Payer              *Party    `json:"payer,omitempty"`
	Consignee          *Party    `json:"consignee,omitempty"`
	Intermediaries     []Party   `json:"intermediaries,omitempty"`
	Affiliates         []string  `json:"affiliates,omitempty"`
	DestinationCountry string    `json:"destination_country,omitempty"`
	Items              []Item    `json:"items"`
	EndUse             string    `json:"end_use,omitempty"`
}

// Party is one company or person in a deal.
type Party struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Fax     string `json:"fax,omitempty"`
	Website string `json:"website,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// Item is one product line of an inquiry. Specs use the vocabulary of DESIGN.md
// ("axes", "positioning_accuracy_um", ...); unknown keys are kept and shown.
type Item struct {
	Product      string         `json:"product,omitempty"`
	Description  string         `json:"description,omitempty"`
	Quantity     float64        `json:"quantity"`
	HSCode       string         `json:"hs_code,omitempty"`
	ControlEntry string         `json:"control_entry,omitempty"`
	Specs        map[string]any `json:"specs,omitempty"`
}

// Party roles, as they appear in Flag.Party and evidence.
const (
	RoleCustomer     = "customer"
	RoleEndUser      = "end_user"
	RolePayer        = "payer"
	RoleConsignee    = "consignee"
	RoleIntermediary = "intermediary"
)

// RoledParty is a party with the role it plays in the inquiry.
type RoledParty struct {
	Role  string // RoleCustomer, ...; intermediaries are "intermediaries[0]", ...
	Party *Party
}

// Parties lists every named party of the inquiry with its role, customer first.
func (in *Inquiry) Parties() []RoledParty {
	out := []RoledParty{{RoleCustomer, &in.Customer}}
	for _, p := range []struct {
		role string
		p    *Party
	}{{RoleEndUser, in.EndUser}, {RoleConsignee, in.Consignee}, {RolePayer, in.Payer}} {
		if p.p != nil && strings.TrimSpace(p.p.Name) != "" {
			out = append(out, RoledParty{p.role, p.p})
		}
	}
	for i := range in.Intermediaries {
		out = append(out, RoledParty{fmt.Sprintf("intermediaries[%d]", i), &in.Intermediaries[i]})
	}
	return out
}

// Limits on input sizes. They keep one request's cost bounded; the HTTP layer
// caps the body at 1 MiB before any of this runs.
const (
	MaxItems        = 200
	MaxAffiliates   = 100
	MaxIntermediary = 20
	MaxSpecs        = 50
	maxShortText    = 300  // names, phones, countries, references
	maxLongText     = 4000 // addresses, descriptions, declared use
)

// Validate checks the inquiry and normalises what can be normalised without
// losing meaning (trimmed strings, upper-case country codes). It returns an
// *Error with code EINVALID naming every bad field, or nil.
func (in *Inquiry) Validate() error {
	v := validator{fields: map[string]string{}}
	in.Reference = v.text("reference", in.Reference, maxShortText)
	in.Deal = v.text("deal", in.Deal, maxShortText)
	v.party("customer", &in.Customer, true)
	for name, p := range map[string]*Party{"end_user": in.EndUser, "payer": in.Payer, "consignee": in.Consignee} {
		if p != nil {
			v.party(name, p, false)
		}
	}
	if len(in.Intermediaries) > MaxIntermediary {
		v.fail("intermediaries", fmt.Sprintf("at most %d", MaxIntermediary))
	}
	for i := range in.Intermediaries {
		v.party(fmt.Sprintf("intermediaries[%d]", i), &in.Intermediaries[i], true)
	}
	if len(in.Affiliates) > MaxAffiliates {
		v.fail("affiliates", fmt.Sprintf("at most %d", MaxAffiliates))
	}
	for i, a := range in.Affiliates {
		in.Affiliates[i] = v.text(fmt.Sprintf("affiliates[%d]", i), a, maxShortText)
		if in.Affiliates[i] == "" {
			v.fail(fmt.Sprintf("affiliates[%d]", i), "empty")
		}
	}
	in.DestinationCountry = v.country("destination_country", in.DestinationCountry)
	in.EndUse = v.text("end_use", in.EndUse, maxLongText)
	switch {
	case len(in.Items) == 0:
		v.fail("items", "at least one item is required")
	case len(in.Items) > MaxItems:
		v.fail("items", fmt.Sprintf("at most %d items", MaxItems))
	default:
		for i := range in.Items {
			v.item(fmt.Sprintf("items[%d]", i), &in.Items[i])
		}
	}
	if !in.ReceivedAt.IsZero() && (in.ReceivedAt.Year() < 2000 || in.ReceivedAt.Year() > 2999) {
		v.fail("received_at", "out of range")
	}
	if len(v.fields) > 0 {
		return &Error{Code: EINVALID, Message: "the inquiry has invalid fields", Fields: v.fields}
	}
	return nil
}

type validator struct{ fields map[string]string }

func (v *validator) fail(field, why string) {
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = why
	}
}

// text trims s and checks it is valid UTF-8 with no control characters and at
// most max runes.
func (v *validator) text(field, s string, max int) string {
	if !utf8.ValidString(s) {
		v.fail(field, "not valid UTF-8")
		return s
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		v.fail(field, fmt.Sprintf("longer than %d characters", max))
		return s
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			v.fail(field, "contains control characters")
			break
		}
	}
	return s
}

func (v *validator) country(field, s string) string {
	s = strings.ToUpper(v.text(field, s, maxShortText))
	if s == "" {
		return s
	}
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		v.fail(field, "must be an ISO 3166-1 alpha-2 code such as JP or CN")
	}
	return s
}

func (v *validator) party(prefix string, p *Party, nameRequired bool) {
	p.Name = v.text(prefix+".name", p.Name, maxShortText)
	if p.Name == "" && nameRequired {
		v.fail(prefix+".name", "required")
	}
	p.Country = v.country(prefix+".country", p.Country)
	p.Address = v.text(prefix+".address", p.Address, maxLongText)
	p.Contact = v.text(prefix+".contact", p.Contact, maxShortText)
	p.Phone = v.text(prefix+".phone", p.Phone, maxShortText)
	p.Fax = v.text(prefix+".fax", p.Fax, maxShortText)
	p.Email = v.text(prefix+".email", p.Email, maxShortText)
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || !strings.Contains(p.Email, "@") {
			v.fail(prefix+".email", "not an e-mail address")
		}
	}
	p.Website = v.text(prefix+".website", p.Website, maxShortText)
	if p.Website != "" {
		raw := p.Website
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
			v.fail(prefix+".website", "must be an http or https URL")
		}
	}
	if !nameRequired && p.Name == "" && (p.Country != "" || p.Address != "" || p.Email != "" || p.Phone != "") {
		v.fail(prefix+".name", "required when other fields of the party are given")
	}
}

func (v *validator) item(prefix string, it *Item) {
	it.Product = v.text(prefix+".product", it.Product, maxShortText)
	it.Description = v.text(prefix+".description", it.Description, maxLongText)
	it.HSCode = v.text(prefix+".hs_code", it.HSCode, maxShortText)
	it.ControlEntry = v.text(prefix+".control_entry", it.ControlEntry, maxShortText)
	if it.Product == "" && it.Description == "" {
		v.fail(prefix+".product", "a product code or a description is required")
	}
	if it.Quantity <= 0 || it.Quantity > 1e12 || it.Quantity != it.Quantity {
		v.fail(prefix+".quantity", "must be a positive number")
	}
	if it.HSCode != "" {
		for _, r := range it.HSCode {
			if !(r >= '0' && r <= '9') && r != '.' && r != ' ' {
				v.fail(prefix+".hs_code", "digits and dots only, e.g. 8457.10")
				break
			}
		}
	}
	if len(it.Specs) > MaxSpecs {
		v.fail(prefix+".specs", fmt.Sprintf("at most %d keys", MaxSpecs))
	}
	for k, val := range it.Specs {
		field := prefix + ".specs." + k
		if k == "" || utf8.RuneCountInString(k) > 64 || !utf8.ValidString(k) {
			v.fail(prefix+".specs", "keys must be 1-64 characters")
			continue
		}
		switch x := val.(type) {
		case float64, bool, nil:
		case string:
			v.text(field, x, maxShortText)
		default:
			v.fail(field, "must be a number, a string or a boolean")
		}
	}
}

// SpecNumber returns a numeric spec value; strings holding a number count too,
// since ERP exports often quote numbers.
func (it *Item) SpecNumber(key string) (float64, bool) {
	switch x := it.Specs[key].(type) {
	case float64:
		return x, true
	case string:
		var f float64
		if _, err := fmt.Sscanf(strings.TrimSpace(x), "%g", &f); err == nil {
			return f, true
		}
	}
	return 0, false
}
