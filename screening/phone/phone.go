// Package phone normalises phone and fax numbers to E.164 with
// github.com/nyaruka/phonenumbers (a Go port of Google's libphonenumber). It is
// an adapter: the domain package screening receives E164 through
// screening.CheckDeps and never imports this package's dependency.
package phone

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// trunkZero matches the "(0)" people write after a country code for the
// national trunk prefix: "+81 (0)3-1234-5678", "+44 (0) 20 7946 0000".
var trunkZero = regexp.MustCompile(`^(\+\d{1,3})[\s.\-]*\(\s*0\s*\)`)

// extension matches an extension written after the number ("ext. 12",
// "内線 123", "x12"): it is not part of the line two companies would share.
var extension = regexp.MustCompile(`(?i)\s*(ext\.?|extension|x|内線|#)\s*\d+\s*$`)

// E164 returns raw as an E.164 number ("+81312345678"). A national number is
// read in country (ISO 3166-1 alpha-2, e.g. "JP"); a number starting with "+"
// or an international prefix (00, 010 from CN ...) carries its own country.
// Full-width digits and punctuation are folded first. ok is false when raw is
// not a valid number for its region.
func E164(raw, country string) (string, bool) {
	s := strings.TrimSpace(norm.NFKC.String(raw))
	if s == "" || len(s) > 64 {
		return "", false
	}
	s = extension.ReplaceAllString(s, "")
	s = trunkZero.ReplaceAllString(s, "$1 ")
	region := strings.ToUpper(strings.TrimSpace(country))
	if region == "" {
		region = "ZZ" // unknown region: only numbers with a country code parse
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", false
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}
