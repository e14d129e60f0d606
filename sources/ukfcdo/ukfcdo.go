// Package ukfcdo reads the UK Sanctions List XML published by the FCDO:
// a Designations element with one Designation per person, entity or ship.
// Names are split into Name1..Name6 (given names first, Name6 the family
// name or the whole name of an entity); NonLatinNames hold the original
// script; RegimeName is the sanctions regime.
//
// Reader: Parse streams the file, decoding one Designation at a time.
// Mapper: mapDesignation turns one into a screening.Entry.
package ukfcdo

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

// Source is the list code of the UK sanctions list.
const Source = "uk_fcdo"

type name struct {
	Name1    string `xml:"Name1"`
	Name2    string `xml:"Name2"`
	Name3    string `xml:"Name3"`
	Name4    string `xml:"Name4"`
	Name5    string `xml:"Name5"`
	Name6    string `xml:"Name6"`
	Type     string `xml:"NameType"`
	Strength string `xml:"AliasStrength"`
}

func (n name) whole() string {
	return listkit.Clean(strings.Join([]string{n.Name1, n.Name2, n.Name3, n.Name4, n.Name5, n.Name6}, " "))
}

type designation struct {
	UniqueID          string   `xml:"UniqueID"`
	LastUpdated       string   `xml:"LastUpdated"`
	DateDesignated    string   `xml:"DateDesignated"`
	OFSIGroupID       string   `xml:"OFSIGroupID"`
	UNReference       string   `xml:"UNReferenceNumber"`
	Names             []name   `xml:"Names>Name"`
	NonLatin          []string `xml:"NonLatinNames>NonLatinName>NameNonLatinScript"`
	Titles            []string `xml:"Titles>Title"`
	Regime            string   `xml:"RegimeName"`
	Type              string   `xml:"IndividualEntityShip"`
	DesignationSource string   `xml:"DesignationSource"`
	SanctionsImposed  string   `xml:"SanctionsImposed"`
	OtherInformation  string   `xml:"OtherInformation"`
	Reasons           string   `xml:"UKStatementofReasons"`
	Addresses         []struct {
		Line1   string `xml:"AddressLine1"`
		Line2   string `xml:"AddressLine2"`
		Line3   string `xml:"AddressLine3"`
		Line4   string `xml:"AddressLine4"`
		Line5   string `xml:"AddressLine5"`
		Line6   string `xml:"AddressLine6"`
		Postal  string `xml:"AddressPostalCode"`
		Country string `xml:"AddressCountry"`
	} `xml:"Addresses>Address"`
	Phones   []string `xml:"PhoneNumbers>PhoneNumber"`
	Emails   []string `xml:"EmailAddresses>EmailAddress"`
	Websites []string `xml:"Websites>Website"`

	DOBs          []string `xml:"IndividualDetails>Individual>DOBs>DOB"`
	Nationalities []string `xml:"IndividualDetails>Individual>Nationalities>Nationality"`
	Genders       []string `xml:"IndividualDetails>Individual>Genders>Gender"`
	Positions     []string `xml:"IndividualDetails>Individual>Positions>Position"`
	Passports     []string `xml:"IndividualDetails>Individual>PassportDetails>Passport>PassportNumber"`
	NationalIDs   []string `xml:"IndividualDetails>Individual>NationalIdentifierDetails>NationalIdentifier>NationalIdentifierNumber"`
	BirthPlaces   []struct {
		Town    string `xml:"TownOfBirth"`
		Country string `xml:"CountryOfBirth"`
	} `xml:"IndividualDetails>Individual>BirthDetails>Location"`

	Registrations []string `xml:"EntityDetails>Entity>BusinessRegistrationNumbers>BusinessRegistrationNumber"`
	EntityTypes   []string `xml:"EntityDetails>Entity>TypeOfEntities>TypeOfEntity"`
	Parents       []string `xml:"EntityDetails>Entity>ParentCompanies>ParentCompany"`
	Subsidiaries  []string `xml:"EntityDetails>Entity>Subsidiaries>Subsidiary"`

	IMONumbers []string `xml:"ShipDetails>Ship>IMONumbers>IMONumber"`
	Owners     []string `xml:"ShipDetails>Ship>CurrentOwnerOperators>CurrentOwnerOperator"`
	Flags      []string `xml:"ShipDetails>Ship>CurrentBelievedFlagOfShips>CurrentBelievedFlagOfShip"`
	PrevFlags  []string `xml:"ShipDetails>Ship>PreviousFlags>PreviousFlag"`
	ShipTypes  []string `xml:"ShipDetails>Ship>TypeOfShipDetails>TypeOfShip"`
	Tonnage    []string `xml:"ShipDetails>Ship>TonnageOfShipDetails>TonnageOfShip"`
	YearsBuilt []string `xml:"ShipDetails>Ship>YearsBuilt>YearBuilt"`
}

// Parse reads the UK sanctions list XML.
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
			if root != "Designations" {
				return nil, listkit.Errorf(file, listkit.Line(line), "root element is %s, want Designations (is this the UK sanctions list?)", root)
			}
			continue
		}
		if se.Name.Local != "Designation" {
			continue
		}
		var d designation
		where := fmt.Sprintf("element Designation at line %d", line)
		if err := dec.DecodeElement(&d, &se); err != nil {
			return nil, listkit.Wrap(file, where, "malformed XML", err)
		}
		e, err := mapDesignation(&d)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("%s (UniqueID %q)", where, listkit.Clean(d.UniqueID)), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if root == "" {
		return nil, listkit.Errorf(file, "", "no XML element found")
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no Designation")
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func kindOf(t string) screening.EntryKind {
	switch strings.ToLower(listkit.Clean(t)) {
	case "individual":
		return screening.KindPerson
	case "entity":
		return screening.KindOrganisation
	case "ship":
		return screening.KindVessel
	}
	return screening.KindUnknown
}

func mapDesignation(d *designation) (screening.Entry, error) {
	id := listkit.Clean(d.UniqueID)
	if id == "" {
		return screening.Entry{}, errors.New("no UniqueID")
	}
	e := screening.Entry{
		Source: Source, SourceID: id, Kind: kindOf(d.Type),
		ListedOn: listkit.DateSlash(d.DateDesignated, true),
	}
	attrs := listkit.Attrs{}

	// The primary name goes first whatever its position in the file; a
	// designation without one takes its first alias (and the list is
	// accepted: UK files have such records).
	var names listkit.Names
	primary := -1
	for i, n := range d.Names {
		if strings.EqualFold(listkit.Clean(n.Type), "primary name") && n.whole() != "" {
			primary = i
			break
		}
	}
	if primary < 0 {
		for i, n := range d.Names {
			if n.whole() != "" {
				primary = i
				break
			}
		}
	}
	if primary < 0 {
		return e, errors.New("no name in Names")
	}
	names.Add(d.Names[primary].whole(), screening.NamePrimary)
	for _, n := range d.Names {
		strength := screening.NameStrong
		if strings.Contains(strings.ToLower(n.Strength), "low") {
			strength = screening.NameWeak
		}
		names.Add(n.whole(), strength)
	}
	for _, n := range d.NonLatin {
		names.Add(n, screening.NameStrong)
	}
	e.Names = names.List()

	var countries listkit.Set
	for _, n := range d.Nationalities {
		if c := country.Code(n); c != "" {
			countries.Add(c)
		} else {
			attrs.Add("unmapped_countries", n)
		}
	}
	for _, a := range d.Addresses {
		ad := screening.Address{
			Street:  listkit.JoinAddress(a.Line1, a.Line2, a.Line3, a.Line4, a.Line5),
			City:    listkit.Clean(a.Line6),
			Postal:  listkit.Clean(a.Postal),
			Country: country.Code(a.Country),
			Full:    listkit.JoinAddress(a.Line1, a.Line2, a.Line3, a.Line4, a.Line5, a.Line6, a.Postal, a.Country),
		}
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
	for _, v := range d.Passports {
		ids.Add("passport", v, "")
	}
	for _, v := range d.NationalIDs {
		ids.Add("national_id", v, "")
	}
	for _, v := range d.Registrations {
		ids.Add("registration", v, "")
	}
	for _, v := range d.IMONumbers {
		ids.Add("imo", v, "")
	}
	for _, v := range d.Phones {
		ids.Add("phone", v, "")
	}
	for _, v := range d.Emails {
		ids.Add("email", v, "")
	}
	for _, v := range d.Websites {
		ids.Add("website", v, "")
	}
	e.Identifiers = ids.List()

	for _, v := range d.DOBs {
		if iso := listkit.DateSlash(v, true); iso != "" {
			attrs.Add("birth_dates", iso)
		} else {
			attrs.Add("birth_dates", v)
		}
	}
	for _, p := range d.BirthPlaces {
		attrs.Add("birth_places", listkit.JoinAddress(p.Town, p.Country))
	}
	for k, vs := range map[string][]string{
		"gender": d.Genders, "position": d.Positions, "title": d.Titles,
		"organisation_type": d.EntityTypes, "parent_companies": d.Parents, "subsidiaries": d.Subsidiaries,
		"vessel_owner": d.Owners, "vessel_flag": d.Flags, "former_vessel_flag": d.PrevFlags,
		"vessel_type": d.ShipTypes, "tonnage": d.Tonnage, "built": d.YearsBuilt,
	} {
		for _, v := range vs {
			attrs.Add(k, v)
		}
	}
	attrs.Add("ofsi_group_id", d.OFSIGroupID)
	attrs.Add("un_reference", d.UNReference)
	attrs.Add("designation_source", d.DesignationSource)
	attrs.Add("sanctions_imposed", strings.ReplaceAll(d.SanctionsImposed, "|", "; "))
	attrs.Add("last_updated", listkit.DateSlash(d.LastUpdated, true))
	if r := listkit.Clean(d.Regime); r != "" {
		e.Programs = []string{r}
	}
	var remarks []string
	for _, r := range []string{d.OtherInformation, d.Reasons} {
		if r = listkit.Clean(r); r != "" {
			remarks = append(remarks, r)
		}
	}
	e.Remarks = strings.Join(remarks, "\n")
	e.Attributes = attrs.Map()
	return e, nil
}
