// Package golden compares parser output with JSON files kept under
// sources/testdata/golden; `go test ./sources/... -update` rewrites them.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

var update = flag.Bool("update", false, "rewrite golden files in sources/testdata/golden")

// Dir is the golden folder, found from this source file so that tests in any
// sources subpackage share it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "golden")
}

// Check marshals got as indented JSON and compares it with Dir()/name.
func Check(t testing.TB, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatalf("golden %s: marshal: %v", name, err)
	}
	b = append(b, '\n')
	path := filepath.Join(Dir(), name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatalf("golden %s: %v", name, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", name, err)
	}
	if !bytes.Equal(want, b) {
		t.Errorf("golden %s differs from the parser output; run `go test ./sources/... -update` and review the diff.\n%s", name, firstDiff(want, b))
	}
}

func firstDiff(want, got []byte) string {
	wl := bytes.Split(want, []byte("\n"))
	gl := bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return ""
}

// Summary is what the golden file of a large real list keeps: counts that
// catch a parser change anywhere in the file, plus a few entries in full.
type Summary struct {
	File          string            `json:"file"`
	Source        string            `json:"source"`
	Entries       int               `json:"entries"`
	Kinds         map[string]int    `json:"kinds"`
	Names         map[string]int    `json:"names"` // by strength
	Scripts       map[string]int    `json:"scripts"`
	WithCountries int               `json:"with_countries"`
	Countries     int               `json:"distinct_countries"`
	Addresses     int               `json:"addresses"`
	Identifiers   map[string]int    `json:"identifiers"` // by type
	Programs      int               `json:"distinct_programs"`
	Attributes    map[string]int    `json:"attributes"` // entries carrying each key
	Selected      []screening.Entry `json:"selected"`
}

// Summarise counts entries and copies the entries whose SourceID is in ids,
// in the order given. A missing id fails the test: the selection must not rot.
func Summarise(t testing.TB, file string, entries []screening.Entry, ids ...string) Summary {
	t.Helper()
	s := Summary{
		File: file, Entries: len(entries),
		Kinds: map[string]int{}, Names: map[string]int{}, Scripts: map[string]int{},
		Identifiers: map[string]int{}, Attributes: map[string]int{},
	}
	countries := map[string]bool{}
	programs := map[string]bool{}
	byID := map[string]screening.Entry{}
	for _, e := range entries {
		s.Source = e.Source
		byID[e.SourceID] = e
		s.Kinds[string(e.Kind)]++
		for _, n := range e.Names {
			s.Names[string(n.Strength)]++
			s.Scripts[n.Script]++
		}
		if len(e.Countries) > 0 {
			s.WithCountries++
		}
		for _, c := range e.Countries {
			countries[c] = true
		}
		s.Addresses += len(e.Addresses)
		for _, id := range e.Identifiers {
			s.Identifiers[id.Type]++
		}
		for _, p := range e.Programs {
			programs[p] = true
		}
		keys := make([]string, 0, len(e.Attributes))
		for k := range e.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Attributes[k]++
		}
	}
	s.Countries = len(countries)
	s.Programs = len(programs)
	for _, id := range ids {
		e, ok := byID[id]
		if !ok {
			t.Fatalf("golden summary of %s: no entry with id %q", file, id)
		}
		s.Selected = append(s.Selected, e)
	}
	return s
}
