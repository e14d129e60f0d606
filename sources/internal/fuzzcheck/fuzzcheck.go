// Package fuzzcheck holds the assertion every FuzzParseXxx target makes:
// a parser either fails without entries or returns well-formed entries.
package fuzzcheck

import (
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

// Result checks one parser result.
func Result(t *testing.T, entries []screening.Entry, err error) {
	t.Helper()
	if err != nil {
		if entries != nil {
			t.Fatalf("entries returned with error %v", err)
		}
		return
	}
	if len(entries) == 0 {
		t.Fatal("no error and no entries")
	}
	keys := map[string]bool{}
	for _, e := range entries {
		if e.Source == "" || e.SourceID == "" || len(e.Names) == 0 || e.Names[0].Strength != screening.NamePrimary {
			t.Fatalf("malformed entry accepted: %+v", e)
		}
		for _, n := range e.Names {
			if strings.TrimSpace(n.Value) == "" {
				t.Fatalf("blank name accepted: %+v", e)
			}
		}
		if keys[e.Key()] {
			t.Fatalf("duplicate key %s", e.Key())
		}
		keys[e.Key()] = true
	}
}

// Seed reads a fixture file for a fuzz corpus.
func Seed(f *testing.F, path string) []byte {
	f.Helper()
	b, err := readFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
