// Package eufsf reads the EU Financial Sanctions Files (FSF) XML, version
// 1.1: an export element with one sanctionEntity per listed person or
// organisation. Names, citizenships, birth dates, documents and addresses
// are child elements whose facts sit in attributes.
//
// Reader: Parse streams the file, decoding one sanctionEntity at a time.
// Mapper: mapEntity turns one into a screening.Entry. The first nameAlias
// is the primary name; nameAlias strong="false" marks a weak alias.
package eufsf

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// Source is the list code of the EU financial sanctions list.
const Source = "eu_fsf"

type entity struct {
	LogicalID       string   `xml:"logicalId,attr"`
	EUReference     string   `xml:"euReferenceNumber,attr"`
	UNID            string   `xml:"unitedNationId,attr"`
	DesignationDate string   `xml:"designationDate,attr"`
	Remarks         []string `xml:"remark"`
	Regulations     []struct {
		Programme       string `xml:"programme,attr"`
		PublicationDate string `xml:"publicationDate,attr"`
		NumberTitle     string `xml:"numberTitle,attr"`
		URL             string `xml:"publicationUrl"`
	} `xml:"regulation"`
	SubjectType struct {
		Code string `xml:"code,attr"`
	} `xml:"subjectType"`
	Names []struct {
		First    string `xml:"firstName,attr"`
		Middle   string `xml:"middleName,attr"`
		Last     string `xml:"lastName,attr"`
		Whole    string `xml:"wholeName,attr"`
		Function string `xml:"function,attr"`
		Gender   string `xml:"gender,attr"`
		Title    string `xml:"title,attr"`
		Language string `xml:"nameLanguage,attr"`
		Strong   string `xml:"strong,attr"`
	} `xml:"nameAlias"`
	Citizenships []struct {
		Country     string `xml:"countryIso2Code,attr"`
		Description string `xml:"countryDescription,attr"`
	} `xml:"citizenship"`
	Birthdates []struct {
		Date    string `xml:"birthdate,attr"`
		Year    string `xml:"year,attr"`
		Circa   string `xml:"circa,attr"`
		City    string `xml:"city,attr"`
		Place   string `xml:"place,attr"`
		Region  string `xml:"region,attr"`
		Country string `xml:"countryDescription,attr"`
	} `xml:"birthdate"`
	Identifications []struct {
		TypeCode    string `xml:"identificationTypeCode,attr"`
		Number      string `xml:"number,attr"`
		LatinNumber string `xml:"latinNumber,attr"`
		Country     string `xml:"countryIso2Code,attr"`
	} `xml:"identification"`
	Addresses []struct {
		Street      string `xml:"street,attr"`
		POBox       string `xml:"poBox,attr"`
		City        string `xml:"city,attr"`
		Zip         string `xml:"zipCode,attr"`
		Region      string `xml:"region,attr"`
		Place       string `xml:"place,attr"`
		Country     string `xml:"countryIso2Code,attr"`
		Description string `xml:"countryDescription,attr"`
	} `xml:"address"`
}

// Parse reads an FSF XML 1.1 export.
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
			if root != "export" {
				return nil, listkit.Errorf(file, listkit.Line(line), "root element is %s, want export (is this the EU FSF XML?)", root)
			}
			continue
		}
		if se.Name.Local != "sanctionEntity" {
			continue
		}
		var ent entity
		where := fmt.Sprintf("element sanctionEntity at line %d", line)
		if err := dec.DecodeElement(&ent, &se); err != nil {
			return nil, listkit.Wrap(file, where, "malformed XML", err)
		}
		e, err := mapEntity(&ent)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("%s (logicalId %q)", where, ent.LogicalID), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if root == "" {
		return nil, listkit.Errorf(file, "", "no XML element found")
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no sanctionEntity")
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func mapEntity(ent *entity) (screening.Entry, error) {
	id := listkit.Clean(ent.LogicalID)
	if id == "" {
		return screening.Entry{}, errors.New("no logicalId")
	}
	e := screening.Entry{Source: Source, SourceID: id, Kind: screening.KindUnknown}
	switch strings.ToLower(ent.SubjectType.Code) {
	case "person":
		e.Kind = screening.KindPerson
	case "enterprise":
		e.Kind = screening.KindOrganisation
	}
	attrs := listkit.Attrs{}
	var names listkit.Names
	for _, n := range ent.Names {
		whole := listkit.Clean(n.Whole)
		if whole == "" {
			whole = listkit.Clean(strings.Join([]string{n.First, n.Middle, n.Last}, " "))
		}
		if whole == "" {
			continue
		}
		strength := screening.NameStrong
		switch {
		case names.Len() == 0:
			strength = screening.NamePrimary
		case strings.EqualFold(n.Strong, "false"):
			strength = screening.NameWeak
		}
		names.Add(whole, strength)
		attrs.Add("position", n.Function)
		attrs.Add("title", n.Title)
		if g := strings.ToUpper(listkit.Clean(n.Gender)); g == "M" || g == "F" {
			attrs.Add("gender", map[string]string{"M": "Male", "F": "Female"}[g])
		}
	}
	if names.Len() == 0 {
		return e, errors.New("no nameAlias with a name")
	}
	e.Names = names.List()

	var countries listkit.Set
	addCountry := func(code, desc string) string {
		if c := euCountry(code, desc); c != "" {
			countries.Add(c)
			return c
		}
		if d := listkit.Clean(desc); d != "" && !strings.EqualFold(d, "UNKNOWN") {
			attrs.Add("unmapped_countries", d)
		}
		return ""
	}
	for _, c := range ent.Citizenships {
		addCountry(c.Country, c.Description)
	}
	for _, a := range ent.Addresses {
		ad := screening.Address{
			Street: listkit.JoinAddress(a.Street, a.POBox),
			City:   listkit.Clean(a.City),
			Region: listkit.Clean(a.Region),
			Postal: listkit.Clean(a.Zip),
		}
		ad.Full = listkit.JoinAddress(a.Street, a.POBox, a.City, a.Zip, a.Region, a.Place, a.Description)
		if ad.Full == "" {
			continue
		}
		ad.Country = addCountry(a.Country, a.Description)
		e.Addresses = append(e.Addresses, ad)
	}
	e.Countries = countries.List()

	var ids listkit.IDs
	for _, d := range ent.Identifications {
		num := d.Number
		if listkit.Clean(num) == "" {
			num = d.LatinNumber
		}
		ids.Add(idType(d.TypeCode), num, euCountry(d.Country, ""))
	}
	e.Identifiers = ids.List()

	for _, b := range ent.Birthdates {
		d := listkit.DateISO(b.Date)
		if d == "" {
			d = listkit.Clean(b.Year)
		}
		if d != "" && strings.EqualFold(b.Circa, "true") {
			d = "circa " + d
		}
		attrs.Add("birth_dates", d)
		attrs.Add("birth_places", listkit.JoinAddress(b.City, b.Place, b.Region, b.Country))
	}

	var programs listkit.Set
	var published []string
	for _, reg := range ent.Regulations {
		programs.Add(reg.Programme)
		if d := listkit.DateISO(reg.PublicationDate); d != "" {
			published = append(published, d)
		}
		attrs.Add("regulation", reg.NumberTitle)
	}
	e.Programs = programs.List()
	e.ListedOn = listkit.DateISO(ent.DesignationDate)
	if e.ListedOn == "" && len(published) > 0 {
		sort.Strings(published)
		e.ListedOn = published[0] // the regulation that first listed the entity
	}
	if len(ent.Regulations) > 0 {
		e.SourceURL = listkit.Clean(ent.Regulations[0].URL)
	}
	attrs.Add("eu_reference", ent.EUReference)
	attrs.Add("un_reference", ent.UNID)
	var remarks []string
	for _, r := range ent.Remarks {
		if r = listkit.Clean(r); r != "" {
			remarks = append(remarks, r)
		}
	}
	e.Remarks = strings.Join(remarks, "\n")
	e.Attributes = attrs.Map()
	return e, nil
}

// euCountry reads the ISO code the FSF gives ("00" means unknown), falling
// back on the description.
func euCountry(code, desc string) string {
	code = strings.ToUpper(listkit.Clean(code))
	if country.Known(code) {
		return code
	}
	return country.Code(desc)
}

func idType(code string) string {
	switch strings.ToLower(listkit.Clean(code)) {
	case "passport":
		return "passport"
	case "id", "nationalid":
		return "national_id"
	case "fiscalcode", "tax":
		return "tax_id"
	case "regnumber":
		return "registration"
	case "imo":
		return "imo"
	case "swiftbic":
		return "swift_bic"
	}
	return "other"
}
