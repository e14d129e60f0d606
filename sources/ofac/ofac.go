// Package ofac reads OFAC's legacy CSV files: the SDN list (sdn.csv, add.csv,
// alt.csv, sdn_comments.csv) and the consolidated non-SDN list (cons_prim.csv,
// cons_add.csv, cons_alt.csv, cons_comments.csv). The files have no header,
// write "-0-" for an empty value and end with a DOS end-of-file byte (0x1A).
// Birth dates, documents, nationality and weak aliases sit inside the
// free-text remarks, which sdn.csv cuts at 1,000 characters and the comments
// file continues.
//
// Reader: Parse reads the four files into rows keyed by entity number.
// Mapper: mapEntity joins them into a screening.Entry; remarks.go reads the
// remarks.
package ofac

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// List codes of the two OFAC lists.
const (
	SourceSDN  = "ofac_sdn"
	SourceCons = "ofac_cons"
)

// Files are the readers of one OFAC set. Main, Address and Alias are
// required; Comments may be nil (older sets have none). The names are used
// in error messages.
type Files struct {
	Main, Address, Alias, Comments                 io.Reader
	MainName, AddressName, AliasName, CommentsName string
}

// Field counts of the legacy files.
const (
	mainFields     = 12 // ent_num, name, type, program, title, call sign, vessel type, tonnage, GRT, flag, owner, remarks
	addressFields  = 6  // ent_num, add_num, address, city/state/postal, country, remarks
	aliasFields    = 5  // ent_num, alt_num, type, name, remarks
	commentsFields = 2  // ent_num, remarks continued
)

type mainRow struct {
	line   int
	fields []string
}

type addressRow struct{ street, city, country, remarks string }

type aliasRow struct{ typ, name string }

// Parse reads one OFAC set; source is SourceSDN or SourceCons.
func Parse(ctx context.Context, source string, f Files) ([]screening.Entry, error) {
	if source != SourceSDN && source != SourceCons {
		return nil, fmt.Errorf("ofac: unknown source %q", source)
	}
	if f.Main == nil || f.Address == nil || f.Alias == nil {
		return nil, errors.New("ofac: the main, address and alias files are all needed")
	}
	var mains []mainRow
	order := map[int]int{} // ent_num → index in mains
	err := readRows(ctx, f.Main, f.MainName, mainFields, func(line int, rec []string) error {
		id, err := entNum(rec[0])
		if err != nil {
			return err
		}
		if _, dup := order[id]; dup {
			return fmt.Errorf("entity number %d appears twice", id)
		}
		order[id] = len(mains)
		mains = append(mains, mainRow{line: line, fields: append([]string(nil), rec...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(mains) == 0 {
		return nil, listkit.Errorf(f.MainName, "", "the list has no entries")
	}

	// Rows of the other files whose entity is not in the main file are
	// skipped: they cannot make an entry without its primary name (sample
	// extracts of the list carry such rows).
	addrs := map[int][]addressRow{}
	err = readRows(ctx, f.Address, f.AddressName, addressFields, func(_ int, rec []string) error {
		id, err := entNum(rec[0])
		if err != nil {
			return err
		}
		addrs[id] = append(addrs[id], addressRow{value(rec[2]), value(rec[3]), value(rec[4]), value(rec[5])})
		return nil
	})
	if err != nil {
		return nil, err
	}
	alts := map[int][]aliasRow{}
	err = readRows(ctx, f.Alias, f.AliasName, aliasFields, func(_ int, rec []string) error {
		id, err := entNum(rec[0])
		if err != nil {
			return err
		}
		alts[id] = append(alts[id], aliasRow{strings.ToLower(value(rec[2])), value(rec[3])})
		return nil
	})
	if err != nil {
		return nil, err
	}
	comments := map[int]string{}
	if f.Comments != nil {
		err = readRows(ctx, f.Comments, f.CommentsName, commentsFields, func(_ int, rec []string) error {
			id, err := entNum(rec[0])
			if err != nil {
				return err
			}
			comments[id] += rec[1]
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	entries := make([]screening.Entry, 0, len(mains))
	for i, m := range mains {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		id, _ := entNum(m.fields[0])
		e, err := mapEntity(source, id, m.fields, addrs[id], alts[id], comments[id])
		if err != nil {
			return nil, listkit.Wrap(f.MainName, listkit.Line(m.line), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if err := listkit.Validate(f.MainName, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// readRows reads a header-less OFAC CSV file and calls fn for each record
// with its line number; every record must have want fields.
func readRows(ctx context.Context, r io.Reader, file string, want int, fn func(line int, rec []string) error) error {
	text, err := listkit.ReadText(r)
	if err != nil {
		return listkit.Wrap(file, "", "cannot read", err)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for i := 0; ; i++ {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return listkit.Wrap(file, "", "malformed CSV", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.Trim(rec[0], "\x1a \t") == "" {
			continue // the DOS end-of-file byte, or a blank line
		}
		if len(rec) != want {
			return listkit.Errorf(file, listkit.Line(line), "row has %d fields, want %d", len(rec), want)
		}
		if err := fn(line, rec); err != nil {
			return listkit.Wrap(file, listkit.Line(line), "bad row", err)
		}
	}
}

func entNum(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("entity number %q is not a positive number", s)
	}
	return n, nil
}

// value reads a field, turning OFAC's "-0-" into "".
func value(s string) string {
	s = listkit.Clean(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func kindOf(t string) screening.EntryKind {
	switch strings.ToLower(t) {
	case "individual":
		return screening.KindPerson
	case "vessel":
		return screening.KindVessel
	case "aircraft":
		return screening.KindAircraft
	case "":
		return screening.KindOrganisation // OFAC leaves the type of entities empty
	}
	return screening.KindUnknown
}

// programs splits "NPWMD] [IFSR] [IRAN-CON-ARMS-EO" into its programs.
func programs(s string) []string {
	var set listkit.Set
	for _, p := range strings.Split(s, "] [") {
		set.Add(strings.Trim(p, "[] "))
	}
	return set.List()
}

func mapEntity(source string, id int, f []string, addrs []addressRow, alts []aliasRow, comment string) (screening.Entry, error) {
	e := screening.Entry{
		Source:    source,
		SourceID:  strconv.Itoa(id),
		Kind:      kindOf(value(f[2])),
		Programs:  programs(value(f[3])),
		SourceURL: "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=" + strconv.Itoa(id),
	}
	attrs := listkit.Attrs{}
	var names listkit.Names
	names.Add(value(f[1]), screening.NamePrimary)
	if names.Len() == 0 {
		return e, errors.New("no name")
	}
	for _, a := range alts {
		switch a.typ {
		case "weak aka":
			names.Add(a.name, screening.NameWeak)
		case "fka":
			names.Add(a.name, screening.NameStrong)
			attrs.Add("former_names", a.name)
		default: // aka, nka
			names.Add(a.name, screening.NameStrong)
		}
	}

	var ids listkit.IDs
	var countries listkit.Set
	attrs.Add("position", value(f[4]))
	ids.Add("call_sign", value(f[5]), "")
	attrs.Add("vessel_type", value(f[6]))
	attrs.Add("tonnage", value(f[7]))
	attrs.Add("gross_registered_tonnage", value(f[8]))
	attrs.Add("vessel_flag", value(f[9]))
	attrs.Add("vessel_owner", value(f[10]))

	remarks := value(f[11]) + comment
	e.Remarks = listkit.Clean(remarks)
	readRemarks(remarks, &names, &ids, &countries, attrs)
	e.Names = names.List()

	for _, a := range addrs {
		ad := screening.Address{Street: a.street, City: a.city, Full: listkit.JoinAddress(a.street, a.city, a.country)}
		if a.country != "" {
			if ad.Country = country.Code(a.country); ad.Country != "" {
				countries.Add(ad.Country)
			} else {
				attrs.Add("unmapped_countries", a.country)
			}
		}
		if ad.Full == "" {
			continue // OFAC writes "-0-" rows for entities without a known address
		}
		e.Addresses = append(e.Addresses, ad)
	}
	e.Countries = countries.List()
	e.Identifiers = ids.List()
	e.Attributes = attrs.Map()
	return e, nil
}
