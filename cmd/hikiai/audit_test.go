package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
)

// sealedChain returns n sealed records; record 2's subject is a formula.
func sealedChain(n int) []screening.AuditRecord {
	var out []screening.AuditRecord
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := range n {
		subject := "case_" + string(rune('a'+i))
		if i == 1 {
			subject = `=HYPERLINK("http://evil.example","x")`
		}
		r := screening.NewAuditRecord(at.Add(time.Duration(i)*time.Minute), screening.AuditDecision, "-key", subject, map[string]string{"reason": "+1 @ <b>"})
		var prev *screening.AuditRecord
		if len(out) > 0 {
			prev = &out[len(out)-1]
		}
		r.Seal(prev)
		out = append(out, r)
	}
	return out
}

func TestAuditCSVDefusesFormulas(t *testing.T) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := writeCSV(cw, sealedChain(3)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	if rows[1][4] != `'=HYPERLINK("http://evil.example","x")` || rows[0][3] != "'-key" {
		t.Errorf("row %v: want the formula and the leading minus kept as text behind an apostrophe", rows[1])
	}
	if rows[0][5] != `{"reason":"+1 @ \u003cb\u003e"}` {
		t.Errorf("data cell %q, want the stored JSON as is", rows[0][5])
	}
}

func TestVerifyAuditFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, recs []screening.AuditRecord, extra string) string {
		var b bytes.Buffer
		if err := api.WriteAuditJSONL(&b, recs); err != nil {
			t.Fatal(err)
		}
		b.WriteString(extra)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	chain := sealedChain(6)
	edited := append([]screening.AuditRecord(nil), chain...)
	edited[3].Actor = "someone-else"
	for _, tc := range []struct {
		name    string
		path    string
		wantErr string
		wantOut string
	}{
		{"whole chain", write("all.jsonl", chain, ""), "", "from the start of the chain"},
		{"export from the middle", write("mid.jsonl", chain[2:], ""), "", "must match the hash of record 2"},
		{"edited record", write("edited.jsonl", edited, ""), "line 4: audit chain broken at record 4", ""},
		{"record left out", write("gap.jsonl", append(append([]screening.AuditRecord(nil), chain[:2]...), chain[3:]...), ""), "line 3: audit chain broken at record 3", ""},
		{"not JSON", write("junk.jsonl", chain[:2], "{nope\n"), "line 3", ""},
		{"unknown field", write("extra.jsonl", chain[:1], `{"seq":2,"sneaky":true}`+"\n"), "line 2", ""},
		{"empty", write("empty.jsonl", nil, ""), "no records", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := verifyAuditFile(tc.path, &out)
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(out.String(), tc.wantOut) {
					t.Errorf("verify: %v, output %q; want it to say %q", err, out.String(), tc.wantOut)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("verify: %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}

func TestAuditCommandUsage(t *testing.T) {
	getenv := func(k string) string {
		if k == "HIKIAI_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}
	for _, args := range [][]string{
		{"audit"}, {"audit", "rewrite"}, {"audit", "export", "--format", "xml"}, {"audit", "export", "--since", "last week"},
		{"audit", "verify", "extra"}, {"audit", "export", "stray"},
	} {
		if _, errOut, code := flowRun(context.Background(), getenv, args...); code != 2 || errOut == "" {
			t.Errorf("hikiai %s: exit %d (%q), want 2 with a message", strings.Join(args, " "), code, errOut)
		}
	}
}
