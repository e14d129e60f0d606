package listkit

import "strings"

// US Treasury data (OFAC remarks, and the CSL "ids" column built from them)
// labels each fact: "Passport", "Tax ID No.", "Website", "Gender", ...
// IDType maps the labels that name a document or registration number to the
// identifier types of the entry model; InfoKey maps labels of other facts to
// attribute keys. Matching on identifiers needs the same type names across
// lists, so the vocabulary lives here once.
var idTypes = map[string]string{
	"passport":                            "passport",
	"diplomatic passport":                 "passport",
	"national id no.":                     "national_id",
	"national id":                         "national_id",
	"identification number":               "national_id",
	"national foreign id number":          "national_id",
	"personal id card":                    "national_id",
	"residency number":                    "national_id",
	"cedula no.":                          "cedula",
	"nit #":                               "nit",
	"ruc #":                               "ruc",
	"c.u.r.p.":                            "curp",
	"c.u.r.p. #":                          "curp",
	"r.f.c.":                              "rfc",
	"r.f.c. #":                            "rfc",
	"d.n.i.":                              "dni",
	"ssn":                                 "ssn",
	"driver's license no.":                "drivers_license",
	"tax id no.":                          "tax_id",
	"v.a.t. number":                       "vat",
	"registration id":                     "registration",
	"registration number":                 "registration",
	"company number":                      "registration",
	"uk company number":                   "registration",
	"business registration number":        "registration",
	"business registration document #":    "registration",
	"commercial registry number":          "registration",
	"public registration number":          "registration",
	"government gazette number":           "registration",
	"trade license no.":                   "registration",
	"c.r. no.":                            "registration",
	"matricula mercantil no":              "registration",
	"folio mercantil no.":                 "registration",
	"chamber of commerce number":          "registration",
	"certificate of incorporation number": "registration",
	"unified social credit code (uscc)":   "uscc",
	"legal entity number":                 "lei",
	"d-u-n-s number":                      "duns",
	"swift/bic":                           "swift_bic",
	"bik (ru)":                            "bik",
	"isin":                                "isin",
	"equity ticker":                       "ticker",
	"vessel registration identification":  "imo",
	"imo":                                 "imo",
	"mmsi":                                "mmsi",
	"aircraft tail number":                "aircraft_tail_number",
	"aircraft manufacturer's serial number (msn)": "aircraft_msn",
	"website":                  "website",
	"email address":            "email",
	"email":                    "email",
	"phone number":             "phone",
	"telephone":                "phone",
	"telephone no.":            "phone",
	"telephone number":         "phone",
	"fax":                      "fax",
	"fax no.":                  "fax",
	"fax number":               "fax",
	"call sign":                "call_sign",
	"digital currency address": "crypto_address",
}

var infoKeys = map[string]string{
	"gender":                             "gender",
	"organization established date":      "established",
	"organization type:":                 "organisation_type",
	"organization type":                  "organisation_type",
	"target type":                        "target_type",
	"secondary sanctions risk:":          "secondary_sanctions_risk",
	"additional sanctions information -": "additional_sanctions",
	"nationality of registration":        "registration_country",
	"former vessel flag":                 "former_vessel_flag",
	"aircraft model":                     "aircraft_model",
	"aircraft operator":                  "aircraft_operator",
	"aircraft manufacture date":          "aircraft_built",
	"aircraft construction number (also called l/n or s/n or f/n)": "aircraft_construction_number",
	"issuer name": "issuer_name",
}

// IDType returns the identifier type for a Treasury label, or "" when the
// label names no identifier. "Digital Currency Address - XBT" counts as a
// crypto address whatever the currency.
func IDType(label string) string {
	l := strings.ToLower(Clean(label))
	if t, ok := idTypes[l]; ok {
		return t
	}
	if strings.HasPrefix(l, "digital currency address") {
		return "crypto_address"
	}
	return ""
}

// InfoKey returns the attribute key for a Treasury label that is a fact but
// not an identifier, or "" when the label is unknown.
func InfoKey(label string) string {
	l := strings.ToLower(Clean(label))
	if k, ok := infoKeys[l]; ok {
		return k
	}
	switch {
	case strings.HasPrefix(l, "transactions prohibited"):
		return "transactions_prohibited"
	case strings.HasPrefix(l, "executive order"), strings.HasPrefix(l, "caatsa"):
		return "executive_order"
	case strings.HasPrefix(l, "listing date"), strings.HasPrefix(l, "effective date"),
		strings.HasPrefix(l, "purchase/sales for divestment date"):
		return "directive_dates"
	}
	return ""
}
