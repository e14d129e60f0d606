package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// fieldView is one input of a form, with everything its label, hint and
// error message need.
type fieldView struct {
	Name         string
	ID           string
	Label        string
	Hint         string
	Unit         string
	Type         string // text, email, tel, textarea, select, checkbox
	Value        string
	Error        string
	Required     bool
	Req          string // the words that say it is required
	Autocomplete string
	InputMode    string
	List         string // id of a datalist
	Suggest      bool   // company-name type-ahead
	Rows         int
	Options      []option
	Checked      bool
}

type option struct {
	Value, Label string
	Selected     bool
}

// HintID and ErrorID are the ids aria-describedby points at.
func (f fieldView) HintID() string  { return f.ID + "-hint" }
func (f fieldView) ErrorID() string { return f.ID + "-error" }

// DescribedBy lists the ids that describe the input.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.HintID())
	}
	if f.Error != "" {
		ids = append(ids, f.ErrorID())
	}
	return strings.Join(ids, " ")
}

type fieldsetView struct {
	ID      string
	Legend  string
	Hint    string
	Same    *fieldView // "same as the customer"
	Fields  []fieldView
	More    []fieldView // in a <details>, open when something there is filled or wrong
	MoreTag string
	Open    bool
}

type itemView struct {
	Legend string
	Open   bool
	Fields []fieldView
	Specs  []fieldView
	Other  fieldView
}

type errorLink struct{ ID, Message string }

type checkView struct {
	Errors      []errorLink
	Basics      []fieldView
	Parties     []fieldsetView
	Items       []itemView
	Destination fieldView
	EndUse      fieldView
	Countries   []option
}

// fieldID turns a field path into an HTML id ("items[0].specs.axes" → "f-items-0-specs-axes").
func fieldID(name string) string {
	r := strings.NewReplacer("[", "-", "]", "", ".", "-", "_", "-")
	return "f-" + r.Replace(name)
}

// buildCheckView lays out the form with the values and errors of fv.
func buildCheckView(l lang, fv formValues) checkView {
	var order []string // field names in form order, for the error summary
	field := func(name, label, typ string) fieldView {
		order = append(order, name)
		f := fieldView{Name: name, ID: fieldID(name), Label: l.T(label), Type: typ, Value: fv.v.Get(name)}
		if msg, ok := fv.errs[name]; ok {
			f.Error = l.formError(msg)
		}
		return f
	}
	v := checkView{Countries: countryOptions(l)}
	ref := field("reference", "field.reference", "text")
	ref.Hint = l.T("hint.reference")
	deal := field("deal", "field.deal", "text")
	deal.Hint = l.T("hint.deal")
	v.Basics = []fieldView{ref, deal}

	for _, role := range partyOrder {
		fs := fieldsetView{ID: "party-" + role, Legend: l.T("party." + role), Hint: l.T("partyhint." + role), MoreTag: l.T("more." + role)}
		if sameAsCustomer[role] {
			same := field(role+".same", "field.same", "checkbox")
			same.Checked = fv.v.Get(role+".same") != ""
			fs.Same = &same
		}
		for _, name := range partyFields[role] {
			f := field(role+"."+name, "field."+name, "text")
			switch name {
			case "name":
				f.Required = role == screening.RoleCustomer
				f.Req = l.T("form.required")
				f.Suggest = true
				f.Autocomplete = "off"
				if role == screening.RoleCustomer {
					f.Hint = l.T("hint.name")
				}
			case "country":
				f.List = "countries"
				f.Autocomplete = "off"
				f.Hint = l.T("hint.country")
			case "address":
				f.Type = "textarea"
				f.Rows = 2
			case "email":
				f.Type, f.Autocomplete = "email", "off"
			case "phone", "fax":
				f.Type, f.Autocomplete = "tel", "off"
			case "website":
				f.InputMode, f.Autocomplete = "url", "off"
				f.Hint = l.T("hint.website")
			}
			primary := name == "name" || name == "country" ||
				(role == screening.RoleCustomer && (name == "address" || name == "email" || name == "phone" || name == "website"))
			if primary {
				fs.Fields = append(fs.Fields, f)
			} else {
				fs.More = append(fs.More, f)
				fs.Open = fs.Open || f.Value != "" || f.Error != ""
			}
		}
		if role == screening.RoleCustomer {
			aff := field("affiliates", "field.affiliates", "textarea")
			aff.Rows, aff.Hint = 2, l.T("hint.affiliates")
			fs.More = append(fs.More, aff)
			fs.Open = fs.Open || aff.Value != "" || aff.Error != ""
		}
		v.Parties = append(v.Parties, fs)
	}
	v.Destination = field("destination_country", "field.destination", "text")
	v.Destination.List, v.Destination.Hint, v.Destination.Autocomplete = "countries", l.T("hint.destination"), "off"

	for i := range formItems {
		p := fmt.Sprintf("items[%d].", i)
		it := itemView{Legend: l.F("item.legend", i+1), Open: i == 0 || fv.itemHasValues(i)}
		product := field(p+"product", "field.product", "text")
		product.Hint = l.T("hint.product")
		desc := field(p+"description", "field.description", "text")
		qty := field(p+"quantity", "field.quantity", "text")
		qty.InputMode = "decimal"
		unit := field(p+"specs.quantity_unit", "field.unit", "select")
		for _, u := range quantityUnits {
			unit.Options = append(unit.Options, option{Value: u, Label: l.T("unit." + unitKey(u)), Selected: unit.Value == u})
		}
		hs := field(p+"hs_code", "field.hs_code", "text")
		hs.InputMode, hs.Hint = "decimal", l.T("hint.hs_code")
		ce := field(p+"control_entry", "field.control_entry", "text")
		ce.Hint = l.T("hint.control_entry")
		it.Fields = []fieldView{product, desc, qty, unit, hs, ce}
		for _, sf := range formSpecs {
			f := field(p+"specs."+sf.Key, "spec."+sf.Key, "text")
			f.InputMode, f.Unit = "decimal", sf.Unit
			it.Specs = append(it.Specs, f)
		}
		it.Other = field(p+"specs_other", "field.specs_other", "textarea")
		it.Other.Rows, it.Other.Hint = 3, l.T("hint.specs_other")
		v.Items = append(v.Items, it)
	}
	v.EndUse = field("end_use", "field.end_use", "textarea")
	v.EndUse.Rows, v.EndUse.Hint = 3, l.T("hint.end_use")

	for _, name := range order {
		if msg, ok := fv.errs[name]; ok {
			label := name
			for _, f := range allFields(v) {
				if f.Name == name {
					label = f.Label
				}
			}
			v.Errors = append(v.Errors, errorLink{ID: fieldID(name), Message: label + ": " + l.formError(msg)})
		}
	}
	for name, msg := range fv.errs {
		if !containsString(order, name) {
			v.Errors = append(v.Errors, errorLink{Message: name + ": " + l.formError(msg)})
		}
	}
	return v
}

func unitKey(u string) string {
	if u == "" {
		return "pcs"
	}
	return u
}

func allFields(v checkView) []fieldView {
	out := append([]fieldView{}, v.Basics...)
	for _, p := range v.Parties {
		out = append(out, p.Fields...)
		out = append(out, p.More...)
	}
	for _, it := range v.Items {
		out = append(out, it.Fields...)
		out = append(out, it.Specs...)
		out = append(out, it.Other)
	}
	return append(out, v.Destination, v.EndUse)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (u *UI) checkPage(c *gin.Context) {
	l := langOf(c)
	u.render(c, http.StatusOK, "check", l.T("check.title"), "check", buildCheckView(l, formValues{v: url.Values{}, errs: formErrors{}}))
}

// check screens the posted inquiry and shows its result page (Post/Redirect/
// Get, so that reloading the result does not screen again). A form with
// errors comes back with the values kept and every problem named.
func (u *UI) check(c *gin.Context) {
	l := langOf(c)
	if err := c.Request.ParseForm(); err != nil {
		u.fail(c, screening.Errorf(screening.EINVALID, "unreadable form: %v", err))
		return
	}
	form := c.Request.PostForm
	inq, errs := parseInquiryForm(form)
	if len(errs) == 0 {
		scr, err := u.o.Actions.Screen(c.Request.Context(), sessionOf(c).key, inq)
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/ui/screenings/"+url.PathEscape(scr.ID))
			return
		}
		switch screening.ErrorCode(err) {
		case screening.EINVALID, screening.ECONFLICT:
			engineFieldErrors(err, errs)
			if len(errs) == 0 {
				errs.add("form", "raw:"+screening.ErrorMessage(err))
			}
		default:
			u.fail(c, err)
			return
		}
	}
	u.render(c, http.StatusUnprocessableEntity, "check", l.T("check.title"), "check", buildCheckView(l, formValues{v: form, errs: errs}))
}
