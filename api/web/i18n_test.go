package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("message %q: the languages have different format verbs: %q", k, m)
		}
	}
}

// usedKey finds literal keys in templates ({{.L.T "x"}}, {{$.L.F "x" ...}})
// and Go code (l.T("x"), l.F("x", ...)).
// A key followed by "+" is a prefix of a dynamic key, checked below.
var usedKey = regexp.MustCompile(`L\.[TF] "([a-z0-9_.]+)"[\s}]|\bl\.[TF]\("([a-z0-9_.]+)"[,)]`)

func TestEveryUsedMessageExists(t *testing.T) {
	var files []string
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	goFiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		var b []byte
		if strings.HasPrefix(f, "templates/") {
			b, err = templateFS.ReadFile(f)
		} else {
			b, err = os.ReadFile(f)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			n++
			if !has(key) {
				t.Errorf("%s uses message %q, which does not exist", f, key)
			}
		}
	}
	if n < 100 {
		t.Fatalf("found only %d message uses: the pattern no longer matches the code", n)
	}
}

// Keys built at run time ("level." + level) must exist for every value.
func TestEveryDynamicMessageExists(t *testing.T) {
	families := map[string][]string{
		"level.":        {"low", "medium", "high"},
		"severity.":     {screening.SeverityInfo, screening.SeverityLow, screening.SeverityMedium, screening.SeverityHigh},
		"action.":       {"proceed", "review", "block"},
		"action.short.": {"proceed", "review", "block"},
		"actionhint.":   {"proceed", "review", "block"},
		"status.":       {"waiting", "open", "escalated", "cleared", "rejected", "all", "pending"},
		"decision.":     {screening.DecisionClear, screening.DecisionReject, screening.DecisionEscalate},
		"flash.":        {screening.DecisionClear, screening.DecisionReject, screening.DecisionEscalate, "pending", "suppressed"},
		"role.":         {screening.RoleSales, screening.RoleReviewer, screening.RoleAdmin, screening.RoleERP},
		"role.party.":   {screening.RoleCustomer, screening.RoleEndUser, screening.RolePayer, screening.RoleConsignee, screening.RoleIntermediary},
		"party.":        partyOrder,
		"partyhint.":    partyOrder,
		"more.":         partyOrder,
		"flag.":         flagCodes,
		"meaning.":      append([]string{"other"}, flagCodes...),
		"todo.":         append([]string{"other"}, flagCodes...),
		"kind.":         {"person", "organisation", "vessel", "aircraft", "unknown"},
		"strength.":     {"primary", "strong", "weak"},
		"contact.":      {"email", "domain", "phone", "fax", "address", "website"},
	}
	for _, sf := range formSpecs {
		families["spec."] = append(families["spec."], sf.Key)
	}
	for _, u := range quantityUnits {
		families["unit."] = append(families["unit."], unitKey(u))
	}
	for _, fields := range partyFields {
		families["field."] = append(families["field."], fields...)
	}
	for prefix, values := range families {
		for _, v := range values {
			if !has(prefix + v) {
				t.Errorf("message %q does not exist", prefix+v)
			}
		}
	}
	for _, m := range engineMessages {
		if !has(m.key) {
			t.Errorf("engine message key %q does not exist", m.key)
		}
	}
}
