package screeningtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hikiai/hikiai/screening"
)

// A scenario file (testdata/scenarios/*.yaml) is a sequence of inquiries and,
// for each, the red flags it must get and the ones it must not get:
//
//	name: duplicate-two-requesters
//	description: Two companies ask for the same machining centre within a week.
//	steps:
//	  - name: first inquiry, nothing to compare with
//	    key: sales                 # the API key's role: sales (default) or erp
//	    inquiry:                   # the JSON contract of POST /v1/screenings, in YAML
//	      reference: INQ-1
//	      received_at: 2026-11-02T09:00:00Z
//	      customer: {name: Alpha Trading, country: CN}
//	      items: [{product: MC-5X200, quantity: 1}]
//	    forbid: [duplicate_inquiry]
//	  - name: second company
//	    inquiry: {...}
//	    expect: [duplicate_inquiry]
//	    expect_action: review      # proceed, review or block
//	    expect_evidence:           # evidence keys a flag must carry
//	      duplicate_inquiry: [other_inquiries]
//	    expect_message_ja:         # text the Japanese message must contain
//	      duplicate_inquiry: 別の会社
//
// Every step states received_at, so that windows and out-of-order arrival do
// not depend on the clock of the run. Steps run in file order.

// Scenario is one loaded scenario file.
type Scenario struct {
	Name        string
	Description string
	File        string // path it was loaded from
	Steps       []Step
}

// Step is one inquiry of a scenario with what its screening must show.
type Step struct {
	Name string
	// Key is the role of the API key that sends the inquiry: "sales" or "erp".
	// References are idempotency keys per API key, so the same reference sent
	// by another key is a new screening.
	Key string
	// Inquiry is the decoded inquiry; Body is the same as JSON, for runners
	// that go through HTTP.
	Inquiry screening.Inquiry
	Body    json.RawMessage
	// Expect lists flag codes that must be raised (not suppressed); Forbid
	// lists codes that must not be.
	Expect []string
	Forbid []string
	// ExpectAction, when set, is the action the screening must answer.
	ExpectAction screening.Action
	// ExpectEvidence names, per flag code, evidence keys one flag of that code
	// must carry.
	ExpectEvidence map[string][]string
	// ExpectMessageJA gives, per flag code, text the message_ja of one flag of
	// that code must contain.
	ExpectMessageJA map[string]string
}

// rawScenario is the file as written.
type rawScenario struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Steps       []rawStep `yaml:"steps"`
}

type rawStep struct {
	Name            string              `yaml:"name"`
	Key             string              `yaml:"key"`
	Inquiry         yaml.Node           `yaml:"inquiry"`
	Expect          []string            `yaml:"expect"`
	Forbid          []string            `yaml:"forbid"`
	ExpectAction    string              `yaml:"expect_action"`
	ExpectEvidence  map[string][]string `yaml:"expect_evidence"`
	ExpectMessageJA map[string]string   `yaml:"expect_message_ja"`
}

var flagCode = regexp.MustCompile(`^[a-z][a-z_]*[a-z]$`)

// LoadScenarios loads every *.yaml file of dir, sorted by file name.
func LoadScenarios(dir string) ([]*Scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("scenarios: list %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("scenarios: no *.yaml files in %s", dir)
	}
	sort.Strings(paths)
	out := make([]*Scenario, 0, len(paths))
	names := map[string]string{}
	for _, p := range paths {
		sc, err := LoadScenario(p)
		if err != nil {
			return nil, err
		}
		if other, ok := names[sc.Name]; ok {
			return nil, fmt.Errorf("scenarios: %s: name %q is also used by %s", p, sc.Name, other)
		}
		names[sc.Name] = p
		out = append(out, sc)
	}
	return out, nil
}

// LoadScenario loads and checks one scenario file. Errors name the file, the
// step and the field.
func LoadScenario(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := ParseScenario(b)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	sc.File = path
	return sc, nil
}

// ParseScenario decodes a scenario from YAML.
func ParseScenario(b []byte) (*Scenario, error) {
	var raw rawScenario
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if strings.TrimSpace(raw.Name) == "" {
		return nil, errors.New("name: required")
	}
	if len(raw.Steps) == 0 {
		return nil, errors.New("steps: at least one step is required")
	}
	sc := &Scenario{Name: raw.Name, Description: strings.TrimSpace(raw.Description)}
	for i, rs := range raw.Steps {
		st, err := parseStep(rs)
		if err != nil {
			label := fmt.Sprintf("steps[%d]", i)
			if rs.Name != "" {
				label += fmt.Sprintf(" (%s)", rs.Name)
			}
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		sc.Steps = append(sc.Steps, st)
	}
	return sc, nil
}

func parseStep(rs rawStep) (Step, error) {
	st := Step{Name: rs.Name, Key: rs.Key, Expect: rs.Expect, Forbid: rs.Forbid,
		ExpectAction: screening.Action(rs.ExpectAction), ExpectEvidence: rs.ExpectEvidence, ExpectMessageJA: rs.ExpectMessageJA}
	if st.Key == "" {
		st.Key = screening.RoleSales
	}
	if st.Key != screening.RoleSales && st.Key != screening.RoleERP {
		return st, fmt.Errorf("key: %q is not sales or erp (the roles that may screen)", st.Key)
	}
	switch st.ExpectAction {
	case "", screening.ActionProceed, screening.ActionReview, screening.ActionBlock:
	default:
		return st, fmt.Errorf("expect_action: %q is not proceed, review or block", st.ExpectAction)
	}
	if rs.Inquiry.Kind == 0 {
		return st, errors.New("inquiry: required")
	}
	var generic any
	if err := rs.Inquiry.Decode(&generic); err != nil {
		return st, fmt.Errorf("inquiry: %w", err)
	}
	body, err := json.Marshal(jsonable(generic))
	if err != nil {
		return st, fmt.Errorf("inquiry: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st.Inquiry); err != nil {
		return st, fmt.Errorf("inquiry (line %d): %w", rs.Inquiry.Line, err)
	}
	if st.Inquiry.ReceivedAt.IsZero() {
		return st, fmt.Errorf("inquiry.received_at (line %d): required in scenarios, so that windows do not depend on the clock", rs.Inquiry.Line)
	}
	st.Body = body
	seen := map[string]string{}
	for _, set := range []struct {
		name  string
		codes []string
	}{{"expect", st.Expect}, {"forbid", st.Forbid}} {
		for j, c := range set.codes {
			if !flagCode.MatchString(c) {
				return st, fmt.Errorf("%s[%d]: %q is not a flag code", set.name, j, c)
			}
			if prev, ok := seen[c]; ok {
				return st, fmt.Errorf("%s[%d]: %s is also in %s", set.name, j, c, prev)
			}
			seen[c] = set.name
		}
	}
	for c := range st.ExpectEvidence {
		if seen[c] != "expect" {
			return st, fmt.Errorf("expect_evidence.%s: the code is not in expect", c)
		}
	}
	for c := range st.ExpectMessageJA {
		if seen[c] != "expect" {
			return st, fmt.Errorf("expect_message_ja.%s: the code is not in expect", c)
		}
	}
	return st, nil
}

// jsonable turns what YAML decodes into values encoding/json can write: maps
// with non-string keys become string-keyed, timestamps RFC 3339.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = jsonable(val)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[fmt.Sprint(k)] = jsonable(val)
		}
		return m
	case []any:
		for i := range x {
			x[i] = jsonable(x[i])
		}
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// Verify compares what a screening answered with what the step expects and
// returns one line per problem (none when the step passed). Evidence is
// compared through its JSON form, so a runner that read the answer over HTTP
// and one that called the engine see the same thing.
func (st *Step) Verify(flags []screening.Flag, action screening.Action) []string {
	var problems []string
	raised := map[string][]screening.Flag{}
	var codes []string
	for _, f := range flags {
		if f.Suppressed {
			continue
		}
		if len(raised[f.Code]) == 0 {
			codes = append(codes, f.Code)
		}
		raised[f.Code] = append(raised[f.Code], f)
	}
	for _, c := range st.Expect {
		if len(raised[c]) == 0 {
			problems = append(problems, fmt.Sprintf("expected flag %s, got %v", c, codes))
		}
	}
	for _, c := range st.Forbid {
		for _, f := range raised[c] {
			problems = append(problems, fmt.Sprintf("forbidden flag %s raised: %s", c, f.Message))
		}
	}
	if st.ExpectAction != "" && action != st.ExpectAction {
		problems = append(problems, fmt.Sprintf("action %s, want %s (flags %v)", action, st.ExpectAction, codes))
	}
	for c, keys := range st.ExpectEvidence {
		if !anyFlag(raised[c], func(f screening.Flag) bool { return hasKeys(f.Evidence, keys) }) {
			problems = append(problems, fmt.Sprintf("no %s flag has evidence keys %v", c, keys))
		}
	}
	for c, text := range st.ExpectMessageJA {
		if !anyFlag(raised[c], func(f screening.Flag) bool { return strings.Contains(f.MessageJA, text) }) {
			var got []string
			for _, f := range raised[c] {
				got = append(got, f.MessageJA)
			}
			problems = append(problems, fmt.Sprintf("no %s message_ja contains %q: %q", c, text, got))
		}
	}
	return problems
}

func anyFlag(fs []screening.Flag, ok func(screening.Flag) bool) bool {
	for _, f := range fs {
		if ok(f) {
			return true
		}
	}
	return false
}

func hasKeys(ev map[string]any, keys []string) bool {
	b, err := json.Marshal(ev)
	if err != nil {
		return false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return false
	}
	for _, k := range keys {
		v, ok := m[k]
		if !ok || string(v) == "null" {
			return false
		}
	}
	return true
}
