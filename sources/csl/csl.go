// Package csl reads the US Consolidated Screening List of trade.gov, which
// merges 12 lists of the Departments of Commerce, State and the Treasury.
// Two file forms exist: CSV (the older layout without "_id", and the current
// one with it; columns are found by header name) and JSON ({"results": [...]},
// the shape the trade.gov API and its bulk download use).
//
// Reader: ParseCSV / ParseJSON turn the file into records.
// Mapper: mapRecord turns one record into a screening.Entry.
//
// One row is one listing: a party on the SDN and the SSI list has one row
// per list, and keeps one entry per list, since the lists carry different
// consequences. Rows that repeat the same list and id are merged.
package csl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// Source is the list code of the Consolidated Screening List.
const Source = "us_csl"

// record is one CSL row in the JSON shape; the CSV reader fills it too.
type record struct {
	ID                     string    `json:"id"`
	Source                 string    `json:"source"`
	EntityNumber           string    `json:"entity_number"`
	Type                   string    `json:"type"`
	Programs               []string  `json:"programs"`
	Name                   string    `json:"name"`
	Title                  string    `json:"title"`
	Addresses              []address `json:"addresses"`
	FederalRegisterNotice  string    `json:"federal_register_notice"`
	StartDate              string    `json:"start_date"`
	EndDate                string    `json:"end_date"`
	StandardOrder          string    `json:"standard_order"`
	LicenseRequirement     string    `json:"license_requirement"`
	LicensePolicy          string    `json:"license_policy"`
	CallSign               string    `json:"call_sign"`
	VesselType             string    `json:"vessel_type"`
	GrossTonnage           string    `json:"gross_tonnage"`
	GrossRegisteredTonnage string    `json:"gross_registered_tonnage"`
	VesselFlag             string    `json:"vessel_flag"`
	VesselOwner            string    `json:"vessel_owner"`
	Remarks                string    `json:"remarks"`
	SourceListURL          string    `json:"source_list_url"`
	AltNames               []string  `json:"alt_names"`
	Citizenships           []string  `json:"citizenships"`
	DatesOfBirth           []string  `json:"dates_of_birth"`
	Nationalities          []string  `json:"nationalities"`
	PlacesOfBirth          []string  `json:"places_of_birth"`
	SourceInformationURL   string    `json:"source_information_url"`
	IDs                    []ident   `json:"ids"`
}

type address struct {
	Address    string `json:"address"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	// full is set by the CSV reader, which gets one text per address.
	full string
}

type ident struct {
	Type           string `json:"type"`
	Number         string `json:"number"`
	Country        string `json:"country"`
	IssueDate      string `json:"issue_date"`
	ExpirationDate string `json:"expiration_date"`
}

var listCode = regexp.MustCompile(`\(([A-Za-z-]+(?: List)?)\)`)

// shortList turns "Specially Designated Nationals (SDN) - Treasury
// Department" into "SDN".
func shortList(source string) string {
	if m := listCode.FindStringSubmatch(source); m != nil {
		return strings.TrimSuffix(m[1], " List")
	}
	return listkit.Clean(source)
}

// key identifies a record within the CSL: its list and its id. Lists without
// ids (BIS, State) get a hash of the name, addresses and start date, which
// stays the same across downloads while the listing does not change.
func (r *record) key() string {
	list := shortList(r.Source)
	id := listkit.Clean(r.ID)
	if id == "" {
		id = listkit.Clean(r.EntityNumber)
	}
	if id == "" {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00", listkit.Clean(r.Name), r.StartDate)
		for _, a := range r.Addresses {
			fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s\x00", a.full, a.Address, a.City, a.State, a.PostalCode, a.Country)
		}
		id = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return list + ":" + id
}

// merge folds a repeated row of the same listing into r.
func (r *record) merge(o *record) {
	r.Programs = append(r.Programs, o.Programs...)
	r.Addresses = append(r.Addresses, o.Addresses...)
	r.AltNames = append(r.AltNames, o.AltNames...)
	r.Citizenships = append(r.Citizenships, o.Citizenships...)
	r.Nationalities = append(r.Nationalities, o.Nationalities...)
	r.DatesOfBirth = append(r.DatesOfBirth, o.DatesOfBirth...)
	r.PlacesOfBirth = append(r.PlacesOfBirth, o.PlacesOfBirth...)
	r.IDs = append(r.IDs, o.IDs...)
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&r.Title, o.Title}, {&r.Remarks, o.Remarks}, {&r.SourceListURL, o.SourceListURL},
		{&r.SourceInformationURL, o.SourceInformationURL}, {&r.StartDate, o.StartDate},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
}

// collect merges records with the same key, keeping first-seen order, and
// maps them to entries. where names record i in errors.
func collect(ctx context.Context, file string, recs []record, where func(int) string) ([]screening.Entry, error) {
	index := map[string]int{}
	var keys []string
	var merged []record
	var first []int
	for i := range recs {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		if listkit.Clean(recs[i].Name) == "" {
			return nil, listkit.Errorf(file, where(i), "row has no name")
		}
		k := recs[i].key()
		if j, ok := index[k]; ok {
			merged[j].merge(&recs[i])
			continue
		}
		index[k] = len(merged)
		keys = append(keys, k)
		merged = append(merged, recs[i])
		first = append(first, i)
	}
	entries := make([]screening.Entry, 0, len(merged))
	for j := range merged {
		e, err := mapRecord(&merged[j], keys[j])
		if err != nil {
			return nil, listkit.Wrap(file, where(first[j]), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no entries")
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
	case "vessel":
		return screening.KindVessel
	case "aircraft":
		return screening.KindAircraft
	}
	return screening.KindUnknown
}

func mapRecord(r *record, key string) (screening.Entry, error) {
	e := screening.Entry{Source: Source, SourceID: key, Kind: kindOf(r.Type)}
	attrs := listkit.Attrs{}
	attrs.Add("list", shortList(r.Source))
	attrs.Add("list_name", r.Source)

	var names listkit.Names
	names.Add(r.Name, screening.NamePrimary)
	if names.Len() == 0 {
		return e, fmt.Errorf("no name")
	}
	for _, a := range r.AltNames {
		names.Add(a, screening.NameStrong)
	}
	e.Names = names.List()

	var programs listkit.Set
	for _, p := range r.Programs {
		programs.Add(p)
	}
	e.Programs = programs.List()

	var countries listkit.Set
	for _, c := range append(append([]string{}, r.Nationalities...), r.Citizenships...) {
		if code := country.Code(c); code != "" {
			countries.Add(code)
		} else {
			attrs.Add("unmapped_countries", c)
		}
	}
	seenAddr := map[screening.Address]bool{}
	for _, a := range r.Addresses {
		ad := mapAddress(a)
		if ad == (screening.Address{}) || seenAddr[ad] {
			continue
		}
		seenAddr[ad] = true
		e.Addresses = append(e.Addresses, ad)
		if ad.Country != "" {
			countries.Add(ad.Country)
		}
	}
	e.Countries = countries.List()

	var ids listkit.IDs
	for _, id := range r.IDs {
		addIdent(&ids, attrs, id)
	}

	for _, d := range r.DatesOfBirth {
		attrs.Add("birth_dates", normDate(d))
	}
	for _, p := range r.PlacesOfBirth {
		attrs.Add("birth_places", p)
	}
	e.ListedOn = listkit.DateISO(r.StartDate)
	attrs.Add("end_date", r.EndDate)
	attrs.Add("position", r.Title)
	attrs.Add("federal_register_notice", r.FederalRegisterNotice)
	attrs.Add("standard_order", r.StandardOrder)
	attrs.Add("license_requirement", r.LicenseRequirement)
	attrs.Add("license_policy", r.LicensePolicy)
	ids.Add("call_sign", r.CallSign, "")
	attrs.Add("vessel_type", r.VesselType)
	attrs.Add("tonnage", r.GrossTonnage)
	attrs.Add("gross_registered_tonnage", r.GrossRegisteredTonnage)
	attrs.Add("vessel_flag", r.VesselFlag)
	attrs.Add("vessel_owner", r.VesselOwner)
	e.Identifiers = ids.List()
	e.Remarks = listkit.Clean(r.Remarks)
	e.SourceURL = listkit.Clean(r.SourceInformationURL)
	if e.SourceURL == "" {
		e.SourceURL = listkit.Clean(r.SourceListURL)
	}
	e.Attributes = attrs.Map()
	return e, nil
}

func normDate(d string) string {
	if v := listkit.DateISO(d); v != "" {
		return v
	}
	if v := listkit.DateEnglish(d); v != "" {
		return v
	}
	return d
}

// mapAddress builds an address from the JSON parts, or from the CSV text
// "street, city, state, postal, CC" whose last part is the country code.
func mapAddress(a address) screening.Address {
	if a.full != "" {
		ad := screening.Address{Full: listkit.Clean(a.full)}
		ad.Country = country.AddressTail(ad.Full)
		return ad
	}
	ad := screening.Address{
		Street:  listkit.Clean(a.Address),
		City:    listkit.Clean(a.City),
		Region:  listkit.Clean(a.State),
		Postal:  listkit.Clean(a.PostalCode),
		Country: country.Code(a.Country),
	}
	ad.Full = listkit.JoinAddress(a.Address, a.City, a.State, a.PostalCode, a.Country)
	return ad
}

// addIdent files one CSL id: documents become identifiers, other facts
// (gender, secondary-sanctions notes) become attributes.
func addIdent(ids *listkit.IDs, attrs listkit.Attrs, id ident) {
	cc := country.Code(id.Country)
	if t := listkit.IDType(id.Type); t != "" {
		v := listkit.Clean(id.Number)
		if t == "imo" {
			v = strings.TrimSpace(strings.TrimPrefix(v, "IMO"))
		}
		ids.Add(t, v, cc)
		return
	}
	if k := listkit.InfoKey(id.Type); k != "" {
		attrs.Add(k, id.Number)
		return
	}
	if listkit.Clean(id.Type) != "" || listkit.Clean(id.Number) != "" {
		attrs.Add("other_info", listkit.Clean(id.Type+" "+id.Number))
	}
}
