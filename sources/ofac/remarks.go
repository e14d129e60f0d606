package ofac

import (
	"regexp"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

var quotedAlias = regexp.MustCompile(`^([afn])\.k\.a\.\s*'(.*)'\.?$`)

// readRemarks takes the facts out of OFAC remarks that can be read without
// guessing. Remarks are facts separated by ";", each "Label value", with
// "alt." in front of a second value of the same label:
//
//	DOB 28 Jul 1963; POB Toledo District, Belize; Passport P0017003 (Belize);
//	nationality Iran; Gender Male; a.k.a. 'BURTON BURGESS'; Linked To: X.
//
// Aliases quoted in remarks are the ones OFAC calls low quality: they are
// weak names. Facts the parser does not know stay in the entry's remarks.
func readRemarks(remarks string, names *listkit.Names, ids *listkit.IDs, countries *listkit.Set, attrs listkit.Attrs) {
	parts := strings.Split(remarks, ";")
	for i, seg := range parts {
		seg = listkit.Clean(seg)
		if i == len(parts)-1 {
			seg = strings.TrimSuffix(seg, ".")
		}
		if seg == "" {
			continue
		}
		if m := quotedAlias.FindStringSubmatch(seg); m != nil {
			names.Add(m[2], screening.NameWeak)
			if m[1] == "f" {
				attrs.Add("former_names", m[2])
			}
			continue
		}
		seg = strings.TrimPrefix(seg, "alt. ")
		label, rest := cutWord(seg)
		switch label {
		case "DOB":
			attrs.Add("birth_dates", birthDate(rest))
			continue
		case "POB":
			attrs.Add("birth_places", rest)
			continue
		case "nationality", "citizen":
			if c := country.Code(rest); c != "" {
				countries.Add(c)
			} else {
				attrs.Add("unmapped_countries", rest)
			}
			continue
		}
		if v, ok := strings.CutPrefix(seg, "Linked To: "); ok {
			attrs.Add("linked_to", v)
			continue
		}
		readLabelled(seg, ids, attrs)
	}
}

func cutWord(s string) (string, string) {
	w, rest, _ := strings.Cut(s, " ")
	return w, strings.TrimSpace(rest)
}

// birthDate normalises "28 Jul 1963", "Jul 1963" and "1963"; ranges and
// "circa" dates are kept as written.
func birthDate(s string) string {
	if d := listkit.DateEnglish(s); d != "" {
		return d
	}
	return s
}

// readLabelled reads "Label value (Country)" facts: the longest run of
// leading words that is a known label decides what the fact is.
func readLabelled(seg string, ids *listkit.IDs, attrs listkit.Attrs) {
	// ends[n] is where the n-th word ends; labels are tried longest first
	// over the segment itself, without building strings per try.
	var ends []int
	in := false
	for i, r := range seg {
		if r == ' ' {
			if in {
				ends = append(ends, i)
			}
			in = false
		} else {
			in = true
		}
		if len(ends) == 9 {
			break
		}
	}
	for n := len(ends); n >= 1; n-- {
		label, rest := seg[:ends[n-1]], strings.TrimSpace(seg[ends[n-1]:])
		if t := listkit.IDType(label); t != "" {
			addID(ids, t, rest)
			return
		}
		if k := listkit.InfoKey(label); k != "" {
			attrs.Add(k, rest)
			return
		}
	}
}

// addID files "P0017003 (Belize)" as a value with its country. Phone and fax
// numbers keep their brackets ("(218) (0)214778301").
func addID(ids *listkit.IDs, typ, rest string) {
	switch typ {
	case "phone", "fax":
		ids.Add(typ, rest, "")
		return
	case "imo":
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "IMO"))
	}
	cc := ""
	if i := strings.Index(rest, " ("); i > 0 {
		if j := strings.Index(rest[i:], ")"); j > 0 {
			cc = country.Code(rest[i+2 : i+j])
		}
		rest = rest[:i]
	} else if f := strings.Fields(rest); len(f) > 0 {
		rest = f[0]
	}
	ids.Add(typ, rest, cc)
}
