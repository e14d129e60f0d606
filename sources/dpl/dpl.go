// Package dpl reads the BIS Denied Persons List in its tab-separated form:
// a header row (Name, Street_Address, City, State, Country, Postal_Code,
// Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
// FR_Citation) and one row per name and address.
//
// A denied party with several addresses has several rows. Rows with the same
// name and effective date are one denial order and become one entry with
// all the addresses; the DPL has no ids, so the entry id is a hash of that
// name and date, stable across downloads.
package dpl

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// Source is the list code of the Denied Persons List.
const Source = "bis_dpl"

// akaInName matches "PEARL (A.K.A. NEI-CHIEN CHU) LI"; akaBetween matches
// "FUYI SUN A/K/A FRANK SUN".
var (
	akaInName  = regexp.MustCompile(`(?i)\s*\((?:a\.k\.a\.?|aka|a/k/a|f/k/a|f\.k\.a\.?)\s*([^)]*)\)\s*`)
	akaBetween = regexp.MustCompile(`(?i)\s+(?:a\.k\.a\.?|aka|a/k/a|f/k/a|f\.k\.a\.?)\s+`)
)

// Parse reads the tab-separated Denied Persons List.
func Parse(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	text, err := listkit.ReadText(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "cannot read", err)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = '\t'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // a few names carry bare quotes: IHSAN MEDHAT "SAMMY" ELASHI
	header, err := cr.Read()
	if err != nil {
		return nil, listkit.Wrap(file, listkit.Line(1), "cannot read header", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(listkit.Clean(h))] = i
	}
	for _, c := range []string{"name", "effective_date"} {
		if _, ok := col[c]; !ok {
			return nil, listkit.Errorf(file, listkit.Line(1), "header lacks the column %q (is this the tab-separated DPL?)", c)
		}
	}

	var entries []screening.Entry
	byKey := map[string]int{}
	for i := 0; ; i++ {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, listkit.Wrap(file, "", "malformed row", err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != len(header) {
			return nil, listkit.Errorf(file, listkit.Line(line), "row has %d fields, header has %d", len(row), len(header))
		}
		get := func(name string) string {
			if j, ok := col[name]; ok {
				return listkit.Clean(row[j])
			}
			return ""
		}
		name := get("name")
		if name == "" {
			return nil, listkit.Errorf(file, listkit.Line(line), "row has no name")
		}
		effective := listkit.DateSlash(get("effective_date"), false)
		key := strings.ToUpper(strings.Join(strings.Fields(name), " ")) + "|" + effective
		j, seen := byKey[key]
		if !seen {
			entries = append(entries, newEntry(key, name, effective))
			j = len(entries) - 1
			byKey[key] = j
		}
		addRow(&entries[j], get)
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no entries")
	}
	for i := range entries {
		if len(entries[i].Attributes) == 0 {
			entries[i].Attributes = nil
		}
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func newEntry(key, name, effective string) screening.Entry {
	sum := sha256.Sum256([]byte(key))
	e := screening.Entry{
		Source:     Source,
		SourceID:   hex.EncodeToString(sum[:])[:16],
		Kind:       screening.KindUnknown, // the DPL mixes people and firms without saying which
		ListedOn:   effective,
		Attributes: map[string]string{},
	}
	var names listkit.Names
	var aliases []string
	for _, m := range akaInName.FindAllStringSubmatch(name, -1) {
		aliases = append(aliases, m[1])
	}
	parts := akaBetween.Split(akaInName.ReplaceAllString(name, " "), -1)
	names.Add(parts[0], screening.NamePrimary)
	for _, a := range append(parts[1:], aliases...) {
		names.Add(a, screening.NameStrong)
	}
	e.Names = names.List()
	return e
}

// addRow adds one row's address and order details to its entry.
func addRow(e *screening.Entry, get func(string) string) {
	attrs := listkit.Attrs(e.Attributes)
	ad := screening.Address{
		Street: get("street_address"),
		City:   get("city"),
		Region: get("state"),
		Postal: get("postal_code"),
	}
	raw := get("country")
	if raw != "" {
		if ad.Country = country.Code(raw); ad.Country == "" {
			attrs.Add("unmapped_countries", raw)
		}
	}
	ad.Full = listkit.JoinAddress(ad.Street, ad.City, ad.Region, ad.Postal, raw)
	if ad.Full != "" {
		dup := false
		for _, a := range e.Addresses {
			dup = dup || a == ad
		}
		if !dup {
			e.Addresses = append(e.Addresses, ad)
		}
	}
	if ad.Country != "" {
		found := false
		for _, c := range e.Countries {
			found = found || c == ad.Country
		}
		if !found {
			e.Countries = append(e.Countries, ad.Country)
		}
	}
	attrs.Add("end_date", listkit.DateSlash(get("expiration_date"), false))
	attrs.Add("standard_order", get("standard_order"))
	attrs.Add("last_updated", get("last_update"))
	attrs.Add("action", get("action"))
	attrs.Add("federal_register_notice", get("fr_citation"))
}
