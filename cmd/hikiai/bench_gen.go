package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// genListSource is the CSL "source" of every synthetic row: the CSL reader
// keys entries by the list code in parentheses, so synthetic entries (SYN:…)
// never collide with real ones and are easy to tell apart in evidence.
const genListSource = "Hikiai Synthetic Benchmark List (SYN) - not a real list"

// cslHeader is the current US CSL CSV layout (the one with "_id").
var cslHeader = []string{"_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
	"federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement", "license_policy",
	"call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks",
	"source_list_url", "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
	"source_information_url", "ids"}

// genListCmd is `hikiai bench gen-list`: it writes a US CSL CSV file of
// synthetic entries for load tests at list sizes the public samples do not
// reach. With --base, the rows of a real CSL file come first, so importing the
// result replaces the us_csl snapshot with the real entries plus the synthetic
// ones and every other list stays as it was.
func genListCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench gen-list", flag.ContinueOnError)
	n := fs.Int("n", 100_000, "number of synthetic entries to write")
	out := fs.String("out", "", "file to write (required; never commit it)")
	base := fs.String("base", "", "a US CSL CSV file (current layout) whose rows are copied first")
	seed := fs.Uint64("seed", 1, "random seed: the same seed writes the same file")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *out == "" || *n < 0 || *n > 20_000_000 || fs.NArg() > 0 {
		return usageError("bench gen-list --n N (0..20000000) --out FILE [--base CSL.csv] [--seed S]")
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("gen-list: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	baseRows := 0
	if *base != "" {
		if baseRows, err = copyCSLRows(*base, w); err != nil {
			f.Close()
			return fmt.Errorf("gen-list: %w", err)
		}
	} else if err := w.Write(cslHeader); err != nil {
		f.Close()
		return fmt.Errorf("gen-list: %w", err)
	}
	g := newListGen(*seed)
	for i := range *n {
		if err := w.Write(g.row(i)); err != nil {
			f.Close()
			return fmt.Errorf("gen-list: write row %d: %w", i, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("gen-list: %w", err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("gen-list: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gen-list: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d base rows and %d synthetic entries (list code SYN); import with `hikiai sources import %s`\n",
		*out, baseRows, *n, *out)
	return nil
}

// copyCSLRows writes the header and rows of a CSL CSV file in the current
// layout to w and returns the number of rows.
func copyCSLRows(path string, w *csv.Writer) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s line 1: %w", path, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if strings.Join(header, ",") != strings.Join(cslHeader, ",") {
		return 0, fmt.Errorf("%s: header is not the current CSL layout (%s)", path, strings.Join(cslHeader, ","))
	}
	if err := w.Write(header); err != nil {
		return 0, err
	}
	rows := 0
	for {
		row, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, fmt.Errorf("%s: %w", path, err)
		}
		if err := w.Write(row); err != nil {
			return rows, err
		}
		rows++
	}
}

// listGen makes list-like names: persons "FAMILY, Given" and organisations
// of two or three made-up words and a legal form, with aliases, countries,
// addresses and programs. Words come from fixed pools built from syllables,
// so the vocabulary grows like a real list's (many names share words) rather
// than one new word per entry.
type listGen struct {
	seed      uint64
	family    []string
	given     []string
	stems     []string
	forms     []string
	generic   []string
	countries []string
	cities    []string
	programs  []string
}

var genSyllables = strings.Fields(`ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho
ma mi mu me mo ya yu yo ra ri ru re ro wa ba bi bu be bo da de do ga gi gu ge go za zi zu ze zo pa pi pu pe po
al el il ol ul an en in on un ar er ir or ur ash esh ish osh ush ov ev iv av uk ek ik ak ham hem him hom
lin lan len lon tar ter tor dar der dor mar mer mor nas nes nis kir kar ker zar zer sin son san bek bak`)

func newListGen(seed uint64) *listGen {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	word := func(min, max int) string {
		var b strings.Builder
		for range min + r.IntN(max-min+1) {
			b.WriteString(genSyllables[r.IntN(len(genSyllables))])
		}
		return b.String()
	}
	pool := func(n, min, max int, title bool) []string {
		seen := map[string]bool{}
		out := make([]string, 0, n)
		for len(out) < n {
			w := word(min, max)
			if seen[w] {
				continue
			}
			seen[w] = true
			if title {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			out = append(out, w)
		}
		return out
	}
	return &listGen{
		seed:   seed,
		family: pool(30_000, 2, 4, false),
		given:  pool(3_000, 2, 3, true),
		stems:  pool(40_000, 2, 4, true),
		forms: []string{"Trading Co., Ltd.", "LLC", "Company", "Industrial Group", "Shipping Co.", "Technology Co., Ltd.",
			"Holdings Ltd", "General Trading FZE", "JSC", "OOO", "Import Export Company", "Engineering Corporation",
			"Machinery Co.", "Electronics Ltd", "Research Institute", "Logistics LLC", "Bank", "Petroleum Company"},
		generic: []string{"International", "Global", "United", "Eastern", "Western", "Northern", "Pacific",
			"Golden", "New", "First", "Royal", "Star", "Ocean", "Silk Road", "Advanced", "Precision"},
		countries: []string{"IR", "KP", "RU", "SY", "CN", "AE", "TR", "BY", "VE", "CU", "MM", "LB", "IQ", "HK", "SG", "MY", "PK", "AF", "YE", "LY"},
		cities: []string{"Tehran", "Pyongyang", "Moscow", "Damascus", "Shenzhen", "Dubai", "Istanbul", "Minsk",
			"Caracas", "Havana", "Yangon", "Beirut", "Baghdad", "Hong Kong", "Singapore", "Kuala Lumpur", "Karachi", "Kabul", "Sanaa", "Tripoli"},
		programs: []string{"SYN-IRAN", "SYN-DPRK", "SYN-RUSSIA", "SYN-SYRIA", "SYN-NPWMD", "SYN-SDGT", "SYN-CYBER"},
	}
}

// row returns synthetic entry i as a CSL CSV row; the same seed and i give the
// same row.
func (g *listGen) row(i int) []string {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	c := r.IntN(len(g.countries))
	country, city := g.countries[c], g.cities[c]
	row := make([]string, len(cslHeader))
	set := func(col, v string) {
		for j, h := range cslHeader {
			if h == col {
				row[j] = v
				return
			}
		}
	}
	set("_id", "syn-"+strconv.Itoa(i))
	set("source", genListSource)
	set("programs", pick(g.programs))
	set("addresses", fmt.Sprintf("%d %s Street, %s, %s", 1+r.IntN(400), pick(g.stems), city, country))
	set("start_date", fmt.Sprintf("20%02d-%02d-%02d", 5+r.IntN(20), 1+r.IntN(12), 1+r.IntN(28)))
	var name string
	var alts []string
	if r.IntN(100) < 45 { // persons
		set("type", "Individual")
		fam, giv := pick(g.family), pick(g.given)
		name = strings.ToUpper(fam) + ", " + giv + " " + pick(g.given)
		for range r.IntN(3) { // spellings of the same person
			alts = append(alts, strings.ToUpper(mutate(r, fam))+", "+giv)
		}
		set("dates_of_birth", fmt.Sprintf("19%02d-%02d-%02d", 40+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28)))
		set("nationalities", country)
	} else {
		set("type", "Entity")
		words := []string{pick(g.stems)}
		if r.IntN(3) > 0 {
			words = append(words, pick(g.stems))
		}
		if r.IntN(4) == 0 {
			words = append([]string{pick(g.generic)}, words...)
		}
		name = strings.Join(words, " ") + " " + pick(g.forms)
		for range r.IntN(3) {
			alts = append(alts, strings.Join(words, " ")+" "+pick(g.forms))
		}
	}
	set("name", name)
	set("alt_names", strings.Join(alts, "; "))
	return row
}

// mutate changes one letter of a word, as transliterations of one name do.
func mutate(r *rand.Rand, w string) string {
	if len(w) < 4 {
		return w
	}
	b := []byte(w)
	b[1+r.IntN(len(b)-2)] = "aeiouy"[r.IntN(6)]
	return string(b)
}
