package web

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5", 5, true},
		{"０．８", 0.8, true},
		{"0,8", 0.8, true},
		{"1,000", 1000, true},
		{"12,500,000", 12500000, true},
		{" 600 ", 600, true},
		{"1e3", 1000, true},
		{"two", 0, false},
		{"5軸", 0, false},
		{"NaN", 0, false},
		{"1e400", 0, false},
		{"", 0, false},
	} {
		got, ok := parseNumber(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseInquiryForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		form url.Values
		want screening.Inquiry
		errs formErrors
	}{
		{
			name: "Japanese inquiry with full-width numbers and the end user same as the customer",
			form: url.Values{
				"reference": {" INQ-7 "}, "customer.name": {"深圳精密貿易有限公司"}, "customer.country": {"ｃｎ"},
				"end_user.same": {"1"}, "end_user.name": {"ignored when same"},
				"destination_country": {"cn"}, "end_use": {"学校の実習用"},
				"items[0].product": {"MC-5X200"}, "items[0].quantity": {"２"}, "items[0].hs_code": {"８４５７.１０"},
				"items[0].specs.axes": {"５"}, "items[0].specs.positioning_accuracy_um": {"0,8"},
				"items[0].specs_other": {"Travel_mm = 500\nenclosure: full\ncoolant=なし\n\n"},
			},
			want: screening.Inquiry{
				Reference: "INQ-7", DestinationCountry: "CN", EndUse: "学校の実習用",
				Customer: screening.Party{Name: "深圳精密貿易有限公司", Country: "CN"},
				EndUser:  &screening.Party{Name: "深圳精密貿易有限公司", Country: "CN"},
				Items: []screening.Item{{Product: "MC-5X200", Quantity: 2, HSCode: "8457.10", Specs: map[string]any{
					"axes": 5.0, "positioning_accuracy_um": 0.8, "travel_mm": 500.0, "enclosure": "full", "coolant": false}}},
			},
			errs: formErrors{},
		},
		{
			name: "blank rows and blank parties are left out; a unit alone is no item",
			form: url.Values{
				"customer.name": {"A"}, "payer.name": {"B Finance"}, "items[0].description": {"inverter"}, "items[0].quantity": {"1"},
				"items[1].specs.quantity_unit": {"kg"}, "affiliates": {"A Holdings\n\n A Europe GmbH "},
			},
			want: screening.Inquiry{
				Customer: screening.Party{Name: "A"}, Payer: &screening.Party{Name: "B Finance"},
				Affiliates: []string{"A Holdings", "A Europe GmbH"},
				Items:      []screening.Item{{Description: "inverter", Quantity: 1}},
			},
			errs: formErrors{},
		},
		{
			name: "unreadable numbers and spec lines are named",
			form: url.Values{
				"customer.name": {"A"}, "items[0].product": {"P"}, "items[0].quantity": {"a few"},
				"items[0].specs.output_frequency_hz": {"fast"}, "items[0].specs_other": {"ok_key=1\nno separator"},
			},
			want: screening.Inquiry{
				Customer: screening.Party{Name: "A"},
				Items:    []screening.Item{{Product: "P", Specs: map[string]any{"ok_key": 1.0}}},
			},
			errs: formErrors{
				"items[0].quantity": "form.err.number", "items[0].specs.output_frequency_hz": "form.err.number",
				"items[0].specs_other": "form.err.specline:2",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := parseInquiryForm(tc.form)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("inquiry:\n got %+v\nwant %+v", got, tc.want)
			}
			if !reflect.DeepEqual(errs, tc.errs) {
				t.Errorf("errors: got %v, want %v", errs, tc.errs)
			}
		})
	}
}

func TestEngineFieldErrorsLandOnInputs(t *testing.T) {
	err := &screening.Error{Code: screening.EINVALID, Fields: map[string]string{
		"customer.name":            "required",
		"items":                    "at least one item is required",
		"items[1].specs.travel_mm": "must be a number, a string or a boolean",
		"items[0].specs.axes":      "must be a number, a string or a boolean",
		"end_user.name":            "required when other fields of the party are given",
		"destination_country":      "must be an ISO 3166-1 alpha-2 code such as JP or CN",
		"reference":                "already used with a different body",
	}}
	errs := formErrors{}
	engineFieldErrors(err, errs)
	want := formErrors{
		"customer.name":        "form.err.required",
		"items[0].product":     "form.err.noitem",
		"items[1].specs_other": "raw:must be a number, a string or a boolean",
		"items[0].specs.axes":  "raw:must be a number, a string or a boolean",
		"end_user.name":        "form.err.partyname",
		"destination_country":  "form.err.country",
		"reference":            "form.err.reference",
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("got %v\nwant %v", errs, want)
	}
}

func TestFormRoundTripsThroughTheView(t *testing.T) {
	// Every input the view offers is read by the parser: a value typed in any
	// field ends up in the inquiry (or in an error), never silently dropped.
	v := buildCheckView(langJA, formValues{v: url.Values{}, errs: formErrors{}})
	for _, f := range allFields(v) {
		if f.Type == "select" || f.Type == "checkbox" {
			continue
		}
		form := url.Values{"customer.name": {"Base"}, "items[0].product": {"P"}, "items[0].quantity": {"1"}}
		val := "7"
		if f.Name == "customer.email" || f.Name == "end_user.email" || f.Name == "payer.email" || f.Name == "consignee.email" {
			val = "a@b.example"
		}
		form.Set(f.Name, val)
		inq, errs := parseInquiryForm(form)
		base, _ := parseInquiryForm(url.Values{"customer.name": {"Base"}, "items[0].product": {"P"}, "items[0].quantity": {"1"}})
		if reflect.DeepEqual(inq, base) && len(errs) == 0 && f.Name != "customer.name" && f.Name != "items[0].product" && f.Name != "items[0].quantity" {
			t.Errorf("field %s is not read by parseInquiryForm", f.Name)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/check":               "/ui/check",
		"/ui/cases?status=open":   "/ui/cases?status=open",
		"":                        "/ui/",
		"https://evil.example/ui": "/ui/",
		"//evil.example/ui/":      "/ui/",
		"/ui/\\evil":              "/ui/",
		"/v1/screenings":          "/ui/",
		"/ui/signin?next=/ui/x":   "/ui/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitMatched(t *testing.T) {
	for _, tc := range []struct {
		s    string
		idx  []int
		want []part
	}{
		{"Beihang", []int{0, 1, 2}, []part{{"Bei", true}, {"hang", false}}},
		{"北京航空航天大学", []int{0, 3, 18, 21}, []part{{"北京", true}, {"航空航天", false}, {"大学", true}}},
		{"abc", nil, []part{{"abc", false}}},
	} {
		if got := splitMatched(tc.s, tc.idx); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitMatched(%q, %v) = %v, want %v", tc.s, tc.idx, got, tc.want)
		}
	}
}
