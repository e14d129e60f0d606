package csl

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// ParseCSV reads the CSL as CSV. Both published layouts are accepted; the
// columns "source" and "name" are required, the others are used when present.
func ParseCSV(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	text, err := listkit.ReadText(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "cannot read", err)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, listkit.Wrap(file, listkit.Line(1), "cannot read header", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(listkit.Clean(h))] = i
	}
	for _, need := range []string{"source", "name"} {
		if _, ok := col[need]; !ok {
			return nil, listkit.Errorf(file, listkit.Line(1), "header lacks the column %q (is this a CSL file?)", need)
		}
	}
	width := len(header)
	var recs []record
	var lines []int
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, listkit.Wrap(file, "", "malformed CSV", err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != width {
			return nil, listkit.Errorf(file, listkit.Line(line), "row has %d fields, header has %d", len(row), width)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return row[i]
			}
			return ""
		}
		rec := record{
			ID: get("_id"), Source: get("source"), EntityNumber: get("entity_number"),
			Type: get("type"), Name: get("name"), Title: get("title"),
			FederalRegisterNotice: get("federal_register_notice"),
			StartDate:             get("start_date"), EndDate: get("end_date"),
			StandardOrder: get("standard_order"), LicenseRequirement: get("license_requirement"),
			LicensePolicy: get("license_policy"), CallSign: get("call_sign"),
			VesselType: get("vessel_type"), GrossTonnage: get("gross_tonnage"),
			GrossRegisteredTonnage: get("gross_registered_tonnage"),
			VesselFlag:             get("vessel_flag"), VesselOwner: get("vessel_owner"),
			Remarks: get("remarks"), SourceListURL: get("source_list_url"),
			SourceInformationURL: get("source_information_url"),
			Programs:             splitList(get("programs")),
			AltNames:             splitList(get("alt_names")),
			Citizenships:         splitList(get("citizenships")),
			Nationalities:        splitList(get("nationalities")),
			DatesOfBirth:         splitList(get("dates_of_birth")),
			PlacesOfBirth:        splitList(get("places_of_birth")),
		}
		for _, a := range splitList(get("addresses")) {
			rec.Addresses = append(rec.Addresses, address{full: a})
		}
		for _, s := range splitList(get("ids")) {
			rec.IDs = append(rec.IDs, parseCSVID(s))
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	return collect(ctx, file, recs, func(i int) string { return listkit.Line(lines[i]) })
}

// splitList splits a CSV cell that holds several values separated by "; ".
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = listkit.Clean(p); p != "" && p != `""` {
			out = append(out, p)
		}
	}
	return out
}

// parseCSVID reads one id of the CSV "ids" cell: "country, number, type",
// "number, type", or "country, expires, issued, number, type". The type is
// the last part; the country is the first when it is a country code.
func parseCSVID(s string) ident {
	p := strings.Split(s, ", ")
	if len(p) == 1 {
		return ident{Type: s}
	}
	id := ident{Type: p[len(p)-1]}
	rest := p[:len(p)-1]
	if len(rest) >= 2 && len(rest[0]) == 2 && country.Known(rest[0]) {
		id.Country = rest[0]
		rest = rest[1:]
	}
	if listkit.IDType(id.Type) != "" {
		id.Number = rest[len(rest)-1] // dates of issue and expiry sit before the number
		if len(rest) >= 3 {
			id.ExpirationDate, id.IssueDate = rest[0], rest[1]
		}
	} else {
		id.Number = strings.Join(rest, ", ")
	}
	return id
}

// ParseJSON reads the CSL in the trade.gov JSON shape {"results": [...]}.
func ParseJSON(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "cannot read", err)
	}
	var doc struct {
		Results *[]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, listkit.Wrap(file, jsonWhere(b, err), "malformed JSON", err)
	}
	if doc.Results == nil {
		return nil, listkit.Errorf(file, "", `no "results" array (is this a CSL JSON file?)`)
	}
	recs := make([]record, len(*doc.Results))
	for i, raw := range *doc.Results {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var loose map[string]any
		if err := dec.Decode(&loose); err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("results[%d]", i), "not an object", err)
		}
		rec, err := recordFromJSON(loose)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("results[%d]", i), "bad field", err)
		}
		recs[i] = rec
	}
	return collect(ctx, file, recs, func(i int) string { return fmt.Sprintf("results[%d]", i) })
}

// recordFromJSON fills a record from a decoded object. The API is loose
// about types (numbers for tonnage, null for empty lists), so fields are read
// by hand rather than by struct tags.
func recordFromJSON(m map[string]any) (record, error) {
	var r record
	var err error
	str := func(k string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = asString(m[k], k)
		return s
	}
	strs := func(k string) []string {
		if err != nil {
			return nil
		}
		var s []string
		s, err = asStrings(m[k], k)
		return s
	}
	r.ID, r.Source, r.EntityNumber, r.Type = str("id"), str("source"), str("entity_number"), str("type")
	r.Name, r.Title, r.Remarks = str("name"), str("title"), str("remarks")
	r.FederalRegisterNotice, r.StartDate, r.EndDate = str("federal_register_notice"), str("start_date"), str("end_date")
	r.StandardOrder, r.LicenseRequirement, r.LicensePolicy = str("standard_order"), str("license_requirement"), str("license_policy")
	r.CallSign, r.VesselType, r.VesselFlag, r.VesselOwner = str("call_sign"), str("vessel_type"), str("vessel_flag"), str("vessel_owner")
	r.GrossTonnage, r.GrossRegisteredTonnage = str("gross_tonnage"), str("gross_registered_tonnage")
	r.SourceListURL, r.SourceInformationURL = str("source_list_url"), str("source_information_url")
	r.Programs, r.AltNames = strs("programs"), strs("alt_names")
	r.Citizenships, r.Nationalities = strs("citizenships"), strs("nationalities")
	r.DatesOfBirth, r.PlacesOfBirth = strs("dates_of_birth"), strs("places_of_birth")
	if err != nil {
		return r, err
	}
	objs, err := asObjects(m["addresses"], "addresses")
	if err != nil {
		return r, err
	}
	for _, o := range objs {
		var a address
		if a.Address, err = asString(o["address"], "addresses.address"); err != nil {
			return r, err
		}
		a.City, _ = asString(o["city"], "")
		a.State, _ = asString(o["state"], "")
		a.PostalCode, _ = asString(o["postal_code"], "")
		a.Country, _ = asString(o["country"], "")
		r.Addresses = append(r.Addresses, a)
	}
	if objs, err = asObjects(m["ids"], "ids"); err != nil {
		return r, err
	}
	for _, o := range objs {
		var id ident
		id.Type, _ = asString(o["type"], "")
		id.Number, _ = asString(o["number"], "")
		id.Country, _ = asString(o["country"], "")
		id.IssueDate, _ = asString(o["issue_date"], "")
		id.ExpirationDate, _ = asString(o["expiration_date"], "")
		r.IDs = append(r.IDs, id)
	}
	return r, nil
}

func asString(v any, field string) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("%s: want a string, got %T", field, v)
}

func asStrings(v any, field string) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return splitList(x), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := asString(e, field)
			if err != nil {
				return nil, err
			}
			if s = listkit.Clean(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: want a list of strings, got %T", field, v)
}

func asObjects(v any, field string) ([]map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: want a list of objects, got an element of type %T", field, e)
			}
			out = append(out, o)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: want a list of objects, got %T", field, v)
}

// jsonWhere turns the byte offset of a JSON error into "line N".
func jsonWhere(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return ""
	}
	return listkit.Line(bytes.Count(b[:off], []byte("\n")) + 1)
}
