// Package sources turns denied-party list files into screening entries.
//
// Each list format has its own subpackage with a reader (file → rows) and a
// mapper (row → screening.Entry): meti (METI End User List), mof (MOF
// asset-freeze list), csl (US Consolidated Screening List), ofac (OFAC SDN
// and consolidated legacy CSV), dpl (BIS Denied Persons List), unsc (UN
// Security Council), eufsf (EU financial sanctions) and ukfcdo (UK sanctions
// list). This package picks the format, opens the files and builds list
// snapshots; see README.md for the formats and their quirks.
package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/csl"
	"github.com/hikiai/hikiai/sources/dpl"
	"github.com/hikiai/hikiai/sources/eufsf"
	"github.com/hikiai/hikiai/sources/internal/listkit"
	"github.com/hikiai/hikiai/sources/meti"
	"github.com/hikiai/hikiai/sources/mof"
	"github.com/hikiai/hikiai/sources/ofac"
	"github.com/hikiai/hikiai/sources/ukfcdo"
	"github.com/hikiai/hikiai/sources/unsc"
)

// ParseError is the error a parser returns for a file it refuses: it names
// the file, the line, row or element, and the reason. Use errors.As to get it.
type ParseError = listkit.ParseError

// Format names accepted by Parse.
const (
	FormatMETIXLSX = "meti_eul_xlsx"
	FormatMETICSV  = "meti_eul_csv"
	FormatMOFXLSX  = "jp_mof_xlsx"
	FormatCSLCSV   = "us_csl_csv"
	FormatCSLJSON  = "us_csl_json"
	FormatOFAC     = "ofac_csv"
	FormatOFACCons = "ofac_cons_csv"
	FormatDPL      = "bis_dpl"
	FormatUN       = "un_xml"
	FormatEU       = "eu_xml"
	FormatUK       = "uk_xml"
)

// ReaderFunc parses one list file from a reader; name is used in errors.
type ReaderFunc func(ctx context.Context, r io.Reader, name string) ([]screening.Entry, error)

type format struct {
	source string
	single ReaderFunc // nil for the OFAC multi-file sets
}

var formats = map[string]format{
	FormatMETIXLSX: {meti.Source, meti.ParseXLSX},
	FormatMETICSV:  {meti.Source, meti.ParseCSV},
	FormatMOFXLSX:  {mof.Source, mof.ParseXLSX},
	FormatCSLCSV:   {csl.Source, csl.ParseCSV},
	FormatCSLJSON:  {csl.Source, csl.ParseJSON},
	FormatOFAC:     {ofac.SourceSDN, nil},
	FormatOFACCons: {ofac.SourceCons, nil},
	FormatDPL:      {dpl.Source, dpl.Parse},
	FormatUN:       {unsc.Source, unsc.Parse},
	FormatEU:       {eufsf.Source, eufsf.Parse},
	FormatUK:       {ukfcdo.Source, ukfcdo.Parse},
}

// Formats lists the format names accepted by Parse, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for f := range formats {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// SourceOf returns the list code a format produces ("ofac_csv" → "ofac_sdn").
func SourceOf(format string) (string, bool) {
	f, ok := formats[format]
	return f.source, ok
}

// Reader returns the single-file parser of a format, for callers that hold
// the list in memory (tests, fuzzing, an upload). OFAC sets need ParseOFAC.
func Reader(format string) (ReaderFunc, bool) {
	f, ok := formats[format]
	if !ok || f.single == nil {
		return nil, false
	}
	return func(ctx context.Context, r io.Reader, name string) ([]screening.Entry, error) {
		entries, err := f.single(ctx, r, name)
		if err != nil {
			return nil, err
		}
		return spellOut(entries), nil
	}, true
}

// ParseOFAC parses an OFAC legacy CSV set held in readers; source is
// "ofac_sdn" or "ofac_cons".
func ParseOFAC(ctx context.Context, source string, files ofac.Files) ([]screening.Entry, error) {
	entries, err := ofac.Parse(ctx, source, files)
	if err != nil {
		return nil, err
	}
	return spellOut(entries), nil
}

// Parse reads one list from files (OFAC needs several files together, or the
// folder that holds them; others one file). format "" means detect from file
// names and content. It returns the entries or an error naming the file and
// the line/row/element and the reason; it never returns entries with an error.
func Parse(ctx context.Context, format string, files ...string) (source string, entries []screening.Entry, err error) {
	files, err = expand(files)
	if err != nil {
		return "", nil, err
	}
	if format == "" {
		if format, err = Detect(files...); err != nil {
			return "", nil, err
		}
	}
	f, ok := formats[format]
	if !ok {
		return "", nil, fmt.Errorf("sources: unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
	}
	if f.single == nil {
		entries, err = parseOFACFiles(ctx, format, f.source, files)
	} else {
		if len(files) != 1 {
			return "", nil, fmt.Errorf("sources: format %s reads one file, got %d", format, len(files))
		}
		entries, err = parseFile(ctx, f.single, files[0])
	}
	if err != nil {
		return "", nil, err
	}
	return f.source, spellOut(entries), nil
}

func parseFile(ctx context.Context, fn ReaderFunc, path string) ([]screening.Entry, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer fh.Close()
	return fn(ctx, fh, path)
}

// ofacSet names the files of the two OFAC sets, by their published names.
var ofacSet = map[string][4]string{
	FormatOFAC:     {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"},
	FormatOFACCons: {"cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"},
}

func parseOFACFiles(ctx context.Context, format, source string, files []string) ([]screening.Entry, error) {
	want := ofacSet[format]
	var paths [4]string
	for _, p := range files {
		base := strings.ToLower(filepath.Base(p))
		found := false
		for i, n := range want {
			if base == n {
				paths[i], found = p, true
			}
		}
		if !found {
			return nil, fmt.Errorf("sources: %s is not a file of the %s set (%s)", p, format, strings.Join(want[:], ", "))
		}
	}
	for i := 0; i < 3; i++ {
		if paths[i] == "" {
			return nil, fmt.Errorf("sources: the %s set needs %s, %s and %s (%s optional); %s is missing",
				format, want[0], want[1], want[2], want[3], want[i])
		}
	}
	var open []*os.File
	defer func() {
		for _, f := range open {
			f.Close()
		}
	}()
	var readers [4]io.Reader
	for i, p := range paths {
		if p == "" {
			continue
		}
		fh, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		open = append(open, fh)
		readers[i] = fh
	}
	return ofac.Parse(ctx, source, ofac.Files{
		Main: readers[0], Address: readers[1], Alias: readers[2], Comments: readers[3],
		MainName: paths[0], AddressName: paths[1], AliasName: paths[2], CommentsName: paths[3],
	})
}

// expand replaces a folder by the files in it, so that an OFAC set can be
// named by its folder.
func expand(files []string) ([]string, error) {
	if len(files) == 0 {
		return nil, errors.New("sources: no file given")
	}
	var out []string
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		des, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		for _, d := range des {
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				out = append(out, filepath.Join(p, d.Name()))
			}
		}
	}
	return out, nil
}

// Snapshot builds a ListSnapshot with Version = content hash of the sorted
// entries. Entries are sorted by key (the input slice is not changed); files
// are kept by base name so that no local path leaks into the API.
func Snapshot(source string, entries []screening.Entry, files []string, now time.Time) screening.ListSnapshot {
	sorted := make([]screening.Entry, len(entries))
	copy(sorted, entries)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Key() < sorted[j].Key() })
	h := sha256.New()
	h.Write([]byte(source + "\n"))
	enc := json.NewEncoder(h) // one JSON line per entry; maps marshal sorted
	for i := range sorted {
		if err := enc.Encode(&sorted[i]); err != nil {
			// Encoding the plain entry struct cannot fail; a failure would be
			// a programming error, so make it visible in the version.
			h.Write([]byte("unencodable:" + sorted[i].Key()))
		}
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	return screening.ListSnapshot{
		Source:     source,
		Version:    hex.EncodeToString(h.Sum(nil))[:32],
		ImportedAt: now.UTC(),
		Files:      names,
		Count:      len(sorted),
		Entries:    sorted,
	}
}
