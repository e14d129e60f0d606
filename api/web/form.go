package web

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/hikiai/hikiai/screening"
)

// The inquiry form. Its field names are the field paths of the JSON API
// ("customer.name", "items[0].specs.axes"), so that the engine's validation
// errors, which name fields that way, land next to the right input.

// formItems is how many item rows the form offers. An ERP sends more through
// the API; a sales person asking about one inquiry rarely has more than three.
const formItems = 3

// specField is a spec of DESIGN.md's vocabulary that the form asks for.
type specField struct {
	Key  string // spec key
	Unit string // shown after the label
}

// formSpecs are the specs the form shows for every item: the ones the
// spec/use rules read most. Others go in the free "key=value" box.
var formSpecs = []specField{
	{"axes", ""},
	{"positioning_accuracy_um", "µm"},
	{"repeatability_um", "µm"},
	{"output_frequency_hz", "Hz"},
	{"frequency_control_percent", "%"},
}

// quantityUnits are the units offered for a quantity ("" is pieces).
var quantityUnits = []string{"", "kg", "t", "m", "l"}

// partyFields lists the inputs of each party, in form order.
var partyFields = map[string][]string{
	screening.RoleCustomer:  {"name", "country", "address", "email", "phone", "fax", "website", "contact"},
	screening.RoleEndUser:   {"name", "country", "address", "email", "phone"},
	screening.RolePayer:     {"name", "country", "address", "email", "phone"},
	screening.RoleConsignee: {"name", "country", "address", "email", "phone"},
}

// partyOrder is the order of the parties in the form.
var partyOrder = []string{screening.RoleCustomer, screening.RoleEndUser, screening.RoleConsignee, screening.RolePayer}

// sameAsCustomer are the parties with a "same as the customer" box.
var sameAsCustomer = map[string]bool{screening.RoleEndUser: true, screening.RolePayer: true, screening.RoleConsignee: true}

// formErrors maps a field name to the key of its message (or, for the
// engine's messages that have no translation, the message itself).
type formErrors map[string]string

func (e formErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// parseInquiryForm turns the posted form into an inquiry. It reads numbers
// the way people type them (full-width digits, thousands separators) and
// returns the fields it could not read; the engine validates the rest.
func parseInquiryForm(v url.Values) (screening.Inquiry, formErrors) {
	errs := formErrors{}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	inq := screening.Inquiry{
		Reference:          get("reference"),
		Deal:               get("deal"),
		DestinationCountry: strings.ToUpper(nfkc(get("destination_country"))),
		EndUse:             get("end_use"),
	}
	parties := map[string]*screening.Party{}
	for _, role := range partyOrder {
		p := &screening.Party{}
		for _, f := range partyFields[role] {
			val := get(role + "." + f)
			switch f {
			case "name":
				p.Name = val
			case "country":
				p.Country = strings.ToUpper(nfkc(val))
			case "address":
				p.Address = val
			case "email":
				p.Email = nfkc(val)
			case "phone":
				p.Phone = val
			case "fax":
				p.Fax = val
			case "website":
				p.Website = nfkc(val)
			case "contact":
				p.Contact = val
			}
		}
		parties[role] = p
	}
	inq.Customer = *parties[screening.RoleCustomer]
	for _, role := range []string{screening.RoleEndUser, screening.RolePayer, screening.RoleConsignee} {
		p := parties[role]
		if sameAsCustomer[role] && v.Get(role+".same") != "" {
			// The customer itself plays this role: the deal has no third party
			// here, which the checks must see as "same", not as "not given".
			cp := inq.Customer
			p = &cp
		} else if *p == (screening.Party{}) {
			continue
		}
		switch role {
		case screening.RoleEndUser:
			inq.EndUser = p
		case screening.RolePayer:
			inq.Payer = p
		case screening.RoleConsignee:
			inq.Consignee = p
		}
	}
	for _, line := range strings.Split(v.Get("affiliates"), "\n") {
		if a := strings.TrimSpace(line); a != "" {
			inq.Affiliates = append(inq.Affiliates, a)
		}
	}
	for i := range formItems {
		it, empty := parseItem(v, i, errs)
		if !empty {
			inq.Items = append(inq.Items, it)
		}
	}
	return inq, errs
}

// parseItem reads item row i; empty is true when the row was left blank.
func parseItem(v url.Values, i int, errs formErrors) (screening.Item, bool) {
	prefix := fmt.Sprintf("items[%d].", i)
	get := func(name string) string { return strings.TrimSpace(v.Get(prefix + name)) }
	it := screening.Item{
		Product:      get("product"),
		Description:  get("description"),
		HSCode:       nfkc(get("hs_code")),
		ControlEntry: strings.ToUpper(nfkc(get("control_entry"))),
		Specs:        map[string]any{},
	}
	empty := it.Product == "" && it.Description == "" && it.HSCode == "" && it.ControlEntry == ""
	if q := get("quantity"); q != "" {
		empty = false
		if n, ok := parseNumber(q); ok {
			it.Quantity = n
		} else {
			errs.add(prefix+"quantity", "form.err.number")
		}
	}
	if unit := get("specs.quantity_unit"); unit != "" {
		it.Specs["quantity_unit"] = unit
	}
	for _, sf := range formSpecs {
		raw := get("specs." + sf.Key)
		if raw == "" {
			continue
		}
		empty = false
		if n, ok := parseNumber(raw); ok {
			it.Specs[sf.Key] = n
		} else {
			errs.add(prefix+"specs."+sf.Key, "form.err.number")
		}
	}
	for n, line := range strings.Split(v.Get(prefix+"specs_other"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		empty = false
		k, val, ok := cutSpec(line)
		if !ok {
			errs.add(prefix+"specs_other", fmt.Sprintf("form.err.specline:%d", n+1))
			continue
		}
		if n, isNum := parseNumber(val); isNum {
			it.Specs[k] = n
		} else {
			switch strings.ToLower(val) {
			case "true", "yes", "はい", "有", "あり":
				it.Specs[k] = true
			case "false", "no", "いいえ", "無", "なし":
				it.Specs[k] = false
			default:
				it.Specs[k] = val
			}
		}
	}
	if len(it.Specs) == 0 {
		it.Specs = nil
	} else if _, onlyUnit := it.Specs["quantity_unit"]; onlyUnit && len(it.Specs) == 1 && empty {
		// A unit chosen on an otherwise blank row is not an item.
		return it, true
	}
	return it, empty
}

var specKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// cutSpec splits "key=value" or "key: value"; the key is folded to the
// vocabulary's lower-case form.
func cutSpec(line string) (key, value string, ok bool) {
	line = nfkc(line)
	i := strings.IndexAny(line, "=:")
	if i <= 0 {
		return "", "", false
	}
	key = strings.ToLower(strings.TrimSpace(line[:i]))
	value = strings.TrimSpace(line[i+1:])
	if !specKey.MatchString(key) || value == "" {
		return "", "", false
	}
	return key, value, true
}

// parseNumber reads a number as people type it: full-width digits, a
// thousands separator, a decimal comma when it cannot be a separator.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(nfkc(s))
	s = strings.ReplaceAll(s, " ", "")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		if _, frac, _ := strings.Cut(s, ","); len(frac) != 3 {
			s = strings.Replace(s, ",", ".", 1) // 0,8 is a decimal comma; 1,000 is a thousand
		}
	}
	s = strings.ReplaceAll(s, ",", "")
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n != n || n > 1e15 || n < -1e15 {
		return 0, false
	}
	return n, true
}

func nfkc(s string) string { return norm.NFKC.String(s) }

// formValues is what the form shows: the posted values (or, for a new form,
// none) and the messages per field.
type formValues struct {
	v    url.Values
	errs formErrors
}

// itemHasValues reports whether row i has anything typed in it, so that a
// filled row stays open after an error.
func (f formValues) itemHasValues(i int) bool {
	prefix := fmt.Sprintf("items[%d].", i)
	for k, vals := range f.v {
		if strings.HasPrefix(k, prefix) && strings.TrimSpace(strings.Join(vals, "")) != "" && k != prefix+"specs.quantity_unit" {
			return true
		}
	}
	return false
}

// engineFieldErrors adds the engine's field errors to errs. A field the form
// has no input for (e.g. "items") goes to the input that fixes it.
func engineFieldErrors(err error, errs formErrors) {
	e, ok := err.(*screening.Error)
	if !ok {
		return
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, field := range keys {
		target := field
		switch {
		case field == "items":
			target = "items[0].product"
		case strings.HasSuffix(field, ".specs") || strings.Contains(field, ".specs.") && !isFormSpec(field):
			target = field[:strings.Index(field, ".specs")] + ".specs_other"
		}
		errs.add(target, engineMessageKey(e.Fields[field]))
	}
}

func isFormSpec(field string) bool {
	for _, sf := range formSpecs {
		if strings.HasSuffix(field, ".specs."+sf.Key) || strings.HasSuffix(field, ".specs.quantity_unit") {
			return true
		}
	}
	return false
}

// engineMessages translate the validation messages of screening.Inquiry.Validate
// that people meet in the form; others are shown as the engine wrote them.
var engineMessages = []struct{ prefix, key string }{
	{"required when other fields", "form.err.partyname"},
	{"required", "form.err.required"},
	{"at least one item", "form.err.noitem"},
	{"a product code or a description", "form.err.product"},
	{"must be a positive number", "form.err.quantity"},
	{"not an e-mail address", "form.err.email"},
	{"must be an ISO 3166-1", "form.err.country"},
	{"must be an http or https URL", "form.err.url"},
	{"digits and dots only", "form.err.hscode"},
	{"longer than", "form.err.long"},
	{"contains control characters", "form.err.control"},
	{"already used with a different body", "form.err.reference"},
}

func engineMessageKey(msg string) string {
	for _, m := range engineMessages {
		if strings.HasPrefix(msg, m.prefix) {
			return m.key
		}
	}
	return "raw:" + msg
}
