// Package unsc reads the UN Security Council Consolidated List XML
// (CONSOLIDATED_LIST with INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY).
//
// Reader: Parse streams the file, decoding one INDIVIDUAL or ENTITY at a time.
// Mapper: mapRecord turns one into a screening.Entry.
//
// Aliases carry a QUALITY: "Good" and "a.k.a." aliases are strong, "Low"
// aliases are weak (the UN itself says they may not identify the person),
// "f.k.a." aliases are former names and strong.
package unsc

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// Source is the list code of the UN Security Council Consolidated List.
const Source = "un_sc"

type record struct {
	DataID        string    `xml:"DATAID"`
	First         string    `xml:"FIRST_NAME"`
	Second        string    `xml:"SECOND_NAME"`
	Third         string    `xml:"THIRD_NAME"`
	Fourth        string    `xml:"FOURTH_NAME"`
	ListType      string    `xml:"UN_LIST_TYPE"`
	Reference     string    `xml:"REFERENCE_NUMBER"`
	ListedOn      string    `xml:"LISTED_ON"`
	Gender        string    `xml:"GENDER"`
	Comments      string    `xml:"COMMENTS1"`
	OriginalName  string    `xml:"NAME_ORIGINAL_SCRIPT"`
	Titles        []string  `xml:"TITLE>VALUE"`
	Designations  []string  `xml:"DESIGNATION>VALUE"`
	Nationalities []string  `xml:"NATIONALITY>VALUE"`
	LastUpdated   []string  `xml:"LAST_DAY_UPDATED>VALUE"`
	IndAliases    []alias   `xml:"INDIVIDUAL_ALIAS"`
	EntAliases    []alias   `xml:"ENTITY_ALIAS"`
	IndAddresses  []address `xml:"INDIVIDUAL_ADDRESS"`
	EntAddresses  []address `xml:"ENTITY_ADDRESS"`
	DOBs          []dob     `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	POBs          []address `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents     []doc     `xml:"INDIVIDUAL_DOCUMENT"`
}

type alias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type address struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Zip     string `xml:"ZIP_CODE"`
	Country string `xml:"COUNTRY"`
	Note    string `xml:"NOTE"`
}

type dob struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

type doc struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
	DateOfIssue    string `xml:"DATE_OF_ISSUE"`
	Note           string `xml:"NOTE"`
}

// Parse reads the consolidated list XML.
func Parse(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	dec := xml.NewDecoder(r)
	var entries []screening.Entry
	root := ""
	for i := 0; ; i++ {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, listkit.Wrap(file, listkit.Line(line), "malformed XML", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
			if root != "CONSOLIDATED_LIST" {
				return nil, listkit.Errorf(file, listkit.Line(line), "root element is %s, want CONSOLIDATED_LIST (is this the UN list?)", root)
			}
			continue
		}
		var kind screening.EntryKind
		switch se.Name.Local {
		case "INDIVIDUAL":
			kind = screening.KindPerson
		case "ENTITY":
			kind = screening.KindOrganisation
		default:
			continue
		}
		var rec record
		if err := dec.DecodeElement(&rec, &se); err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("element %s at line %d", se.Name.Local, line), "malformed XML", err)
		}
		e, err := mapRecord(&rec, kind)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("element %s at line %d (DATAID %q)", se.Name.Local, line, listkit.Clean(rec.DataID)), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if root == "" {
		return nil, listkit.Errorf(file, "", "no XML element found")
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no INDIVIDUAL or ENTITY")
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func mapRecord(r *record, kind screening.EntryKind) (screening.Entry, error) {
	id := listkit.Clean(r.DataID)
	if id == "" {
		return screening.Entry{}, errors.New("no DATAID")
	}
	e := screening.Entry{Source: Source, SourceID: id, Kind: kind, ListedOn: listkit.DateISO(r.ListedOn)}
	attrs := listkit.Attrs{}

	var names listkit.Names
	names.Add(strings.Join([]string{r.First, r.Second, r.Third, r.Fourth}, " "), screening.NamePrimary)
	if names.Len() == 0 {
		return e, errors.New("no name (FIRST_NAME .. FOURTH_NAME are empty)")
	}
	names.Add(r.OriginalName, screening.NameStrong)
	for _, a := range append(r.IndAliases, r.EntAliases...) {
		switch strings.ToLower(listkit.Clean(a.Quality)) {
		case "low":
			names.Add(a.Name, screening.NameWeak)
		case "f.k.a.":
			names.Add(a.Name, screening.NameStrong)
			attrs.Add("former_names", a.Name)
		default: // "good", "a.k.a.", or none given
			names.Add(a.Name, screening.NameStrong)
		}
	}
	e.Names = names.List()

	var countries listkit.Set
	for _, n := range r.Nationalities {
		if c := country.Code(n); c != "" {
			countries.Add(c)
		} else {
			attrs.Add("unmapped_countries", n)
		}
	}
	for _, a := range append(r.IndAddresses, r.EntAddresses...) {
		ad := screening.Address{
			Street: listkit.Clean(a.Street), City: listkit.Clean(a.City),
			Region: listkit.Clean(a.State), Postal: listkit.Clean(a.Zip),
			Country: country.Code(a.Country),
		}
		ad.Full = listkit.JoinAddress(a.Street, a.City, a.State, a.Zip, a.Country)
		if ad.Full == "" {
			continue
		}
		if ad.Country != "" {
			countries.Add(ad.Country)
		} else if listkit.Clean(a.Country) != "" {
			attrs.Add("unmapped_countries", a.Country)
		}
		e.Addresses = append(e.Addresses, ad)
	}
	e.Countries = countries.List()

	var ids listkit.IDs
	for _, d := range r.Documents {
		cc := country.Code(d.IssuingCountry)
		if cc == "" {
			cc = country.Code(d.CountryOfIssue)
		}
		ids.Add(docType(d.Type), d.Number, cc)
		if listkit.Clean(d.Number) == "" && listkit.Clean(d.Note) != "" {
			attrs.Add("documents", listkit.Clean(d.Type+": "+d.Note))
		}
	}
	e.Identifiers = ids.List()

	for _, d := range r.DOBs {
		attrs.Add("birth_dates", birthDate(d))
	}
	for _, p := range r.POBs {
		attrs.Add("birth_places", listkit.JoinAddress(p.City, p.State, p.Country))
	}
	attrs.Add("un_reference", r.Reference)
	attrs.Add("gender", r.Gender)
	for _, t := range r.Titles {
		attrs.Add("title", t)
	}
	for _, d := range r.Designations {
		attrs.Add("position", d)
	}
	if n := len(r.LastUpdated); n > 0 {
		attrs.Add("last_updated", listkit.DateISO(r.LastUpdated[n-1]))
	}
	if p := listkit.Clean(r.ListType); p != "" {
		e.Programs = []string{p}
	}
	e.Remarks = listkit.Clean(r.Comments)
	e.Attributes = attrs.Map()
	return e, nil
}

// docType maps the UN document types, which the list writes in English,
// French or Spanish.
func docType(t string) string {
	l := strings.ToLower(listkit.Clean(t))
	switch {
	case strings.Contains(l, "passport"), strings.Contains(l, "passeport"), strings.Contains(l, "pasaporte"):
		return "passport"
	case strings.Contains(l, "national identification"), strings.Contains(l, "identity card"), strings.Contains(l, "id card"):
		return "national_id"
	}
	return "other"
}

// birthDate renders a UN date of birth: an exact date or year, "circa"
// for approximate years and "from to" ranges.
func birthDate(d dob) string {
	date, year := listkit.DateISO(d.Date), listkit.Clean(d.Year)
	v := date
	if v == "" {
		v = year
	}
	switch strings.ToUpper(listkit.Clean(d.Type)) {
	case "BETWEEN":
		if f, t := listkit.Clean(d.FromYear), listkit.Clean(d.ToYear); f != "" && t != "" {
			return f + " to " + t
		}
	case "APPROXIMATELY":
		if v != "" {
			return "circa " + v
		}
	}
	return v
}
