package screening_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
)

// TestDefaultRules checks what the shipped rules promise: at least ten spec
// rules on real control entries, each citing its entry, a catalogue the rules
// can find, and a free-mail list with the common domains.
func TestDefaultRules(t *testing.T) {
	s := defaultSettings(t)
	su := s.SpecUseMismatch
	if len(su.Rules) < 10 {
		t.Errorf("%d spec/use rules, want at least 10", len(su.Rules))
	}
	entries := map[string]bool{}
	for _, r := range su.Rules {
		for _, c := range r.Select.ControlEntries {
			entries[c[:5]] = true
		}
		cited := false
		for _, c := range r.Citations {
			for _, ce := range r.Select.ControlEntries {
				cited = cited || strings.Contains(c, ce[:5])
			}
		}
		if !cited {
			t.Errorf("rule %s does not cite any of its control entries %v", r.ID, r.Select.ControlEntries)
		}
	}
	for _, want := range []string{"2B001", "3A225", "1C010", "2B352", "2B204", "2B116", "3A233", "2B350", "1C216", "9A012"} {
		if !entries[want] {
			t.Errorf("no default rule selects control entry %s", want)
		}
	}
	codes := map[string]bool{}
	for _, p := range s.Products {
		codes[strings.ToUpper(p.Code)] = true
	}
	for _, r := range su.QuantityRules {
		for _, p := range r.Select.Products {
			if !codes[strings.ToUpper(p)] {
				t.Errorf("quantity rule %s names product %s, which is not in products.yaml", r.ID, p)
			}
		}
	}
	if len(s.FreeMailDomains) < 40 {
		t.Errorf("%d free-mail domains, want at least 40", len(s.FreeMailDomains))
	}
	for _, d := range []string{"gmail.com", "qq.com", "163.com", "126.com", "yahoo.co.jp", "outlook.com", "hotmail.com", "mail.ru", "yandex.ru", "naver.com"} {
		if !slices.Contains(s.FreeMailDomains, d) {
			t.Errorf("free_mail_domains lacks %s", d)
		}
	}
	if got := len(screening.DefaultChecks(s, screening.CheckDeps{})); got < 5 {
		t.Errorf("DefaultChecks built %d checks", got)
	}
}

// TestRulesOverride replaces a default file through HIKIAI_RULES_DIR, and
// shows that a bad override is refused with the file and setting named.
func TestRulesOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("payer_mismatch.yaml", "payer_mismatch:\n  points: 10\n  foreign_points: 50\n")
	s, err := rules.Load(dir)
	if err != nil {
		t.Fatalf("override: %v", err)
	}
	if s.PayerMismatch.Points != 10 || s.PayerMismatch.ForeignPoints != 50 {
		t.Errorf("payer settings %+v", s.PayerMismatch)
	}
	if s.DuplicateInquiry.MinRequesters != 2 {
		t.Errorf("other defaults lost: %+v", s.DuplicateInquiry)
	}
	write("payer_mismatch.yaml", "payer_mismatch:\n  points: 10\n  foreign_pionts: 50\n")
	if _, err := rules.Load(dir); err == nil || !strings.Contains(err.Error(), "payer_mismatch.yaml") || !strings.Contains(err.Error(), "foreign_pionts") {
		t.Errorf("typo accepted or not named: %v", err)
	}
	write("payer_mismatch.yaml", "payer_mismatch:\n  points: 10\n  foreign_points: 500\n")
	if _, err := rules.Load(dir); err == nil || !strings.Contains(err.Error(), "payer_mismatch: foreign_points") {
		t.Errorf("out-of-range points accepted or not named: %v", err)
	}
	os.Remove(filepath.Join(dir, "payer_mismatch.yaml"))
	write("products.yaml", "products:\n  - {code: MC-1, name: one}\n  - {code: mc 1, name: two}\n")
	if _, err := rules.Load(dir); err == nil || !strings.Contains(err.Error(), "products: [1].code") {
		t.Errorf("duplicate product code accepted or not named: %v", err)
	}
}
