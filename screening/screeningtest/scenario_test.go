package screeningtest

import (
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

const goodScenario = `
name: sample
description: two steps
steps:
  - name: first
    inquiry:
      reference: R-1
      received_at: 2026-11-02T09:00:00Z
      customer: {name: "Alpha Trading Co., Ltd.", country: CN}
      items: [{product: MC-5X200, quantity: 2, specs: {axes: 5, repeatability_um: "0.5"}}]
      end_use: 学校教育用
    expect: [spec_use_mismatch]
    forbid: [duplicate_inquiry]
    expect_action: review
    expect_evidence: {spec_use_mismatch: [rule_id]}
    expect_message_ja: {spec_use_mismatch: 学校}
  - name: second
    key: erp
    inquiry:
      reference: R-2
      received_at: "2026-11-03T09:00:00+09:00"
      customer: {name: Beta}
      items: [{description: lathe, quantity: 1}]
`

func TestParseScenario(t *testing.T) {
	sc, err := ParseScenario([]byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "sample" || len(sc.Steps) != 2 {
		t.Fatalf("scenario %+v", sc)
	}
	s0, s1 := sc.Steps[0], sc.Steps[1]
	if s0.Key != "sales" || s1.Key != "erp" {
		t.Errorf("keys %q %q", s0.Key, s1.Key)
	}
	if s0.Inquiry.Customer.Name != "Alpha Trading Co., Ltd." || s0.Inquiry.Items[0].Quantity != 2 || s0.Inquiry.Items[0].Specs["axes"] != 5.0 {
		t.Errorf("inquiry %+v", s0.Inquiry)
	}
	if s1.Inquiry.ReceivedAt.UTC().Hour() != 0 {
		t.Errorf("received_at %v", s1.Inquiry.ReceivedAt)
	}
	if !strings.Contains(string(s0.Body), `"received_at":"2026-11-02T09:00:00Z"`) {
		t.Errorf("body %s", s0.Body)
	}
	if s0.ExpectAction != screening.ActionReview || s0.ExpectEvidence["spec_use_mismatch"][0] != "rule_id" {
		t.Errorf("expectations %+v", s0)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	step := `
name: x
steps:
  - name: s
    inquiry:
      received_at: 2026-11-02T09:00:00Z
      customer: {name: A}
      items: [{product: P, quantity: 1}]
`
	tests := []struct {
		name, yaml, want string
	}{
		{"no name", "steps: []", "name: required"},
		{"no steps", "name: x", "steps"},
		{"unknown field", "name: x\nsteps: []\ncolour: red", "colour"},
		{"unknown inquiry field", strings.Replace(step, "customer:", "custmer: {name: A}\n      customer:", 1), `unknown field "custmer"`},
		{"no received_at", strings.Replace(step, "received_at: 2026-11-02T09:00:00Z", "reference: R", 1), "received_at"},
		{"bad key", step + "    key: reviewer\n", "key"},
		{"bad action", step + "    expect_action: stop\n", "expect_action"},
		{"bad code", step + "    expect: [Spec-Use]\n", "expect[0]"},
		{"expect and forbid", step + "    expect: [payer_mismatch]\n    forbid: [payer_mismatch]\n", "also in expect"},
		{"evidence for an unexpected code", step + "    expect_evidence: {payer_mismatch: [payer]}\n", "expect_evidence.payer_mismatch"},
		{"no inquiry", "name: x\nsteps:\n  - name: s\n    expect: [payer_mismatch]\n", "inquiry: required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseScenario = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	st := Step{
		Expect: []string{"spec_use_mismatch"}, Forbid: []string{"payer_mismatch"}, ExpectAction: screening.ActionReview,
		ExpectEvidence:  map[string][]string{"spec_use_mismatch": {"rule_id", "items"}},
		ExpectMessageJA: map[string]string{"spec_use_mismatch": "学校"},
	}
	good := []screening.Flag{{Code: "spec_use_mismatch", MessageJA: "用途（学校）", Evidence: map[string]any{"rule_id": "SU-1", "items": []int{1}}}}
	if p := st.Verify(good, screening.ActionReview); len(p) != 0 {
		t.Errorf("good answer: %v", p)
	}
	tests := []struct {
		name   string
		flags  []screening.Flag
		action screening.Action
		want   string
	}{
		{"missing flag", nil, screening.ActionReview, "expected flag spec_use_mismatch"},
		{"suppressed flag does not count", []screening.Flag{{Code: "spec_use_mismatch", Suppressed: true}}, screening.ActionReview, "expected flag"},
		{"forbidden flag", append(append([]screening.Flag{}, good...), screening.Flag{Code: "payer_mismatch", Message: "third party pays"}), screening.ActionReview, "forbidden flag payer_mismatch"},
		{"wrong action", good, screening.ActionProceed, "action proceed, want review"},
		{"missing evidence key", []screening.Flag{{Code: "spec_use_mismatch", MessageJA: "学校", Evidence: map[string]any{"rule_id": "SU-1"}}}, screening.ActionReview, "evidence keys"},
		{"null evidence is missing", []screening.Flag{{Code: "spec_use_mismatch", MessageJA: "学校", Evidence: map[string]any{"rule_id": "SU-1", "items": nil}}}, screening.ActionReview, "evidence keys"},
		{"message text missing", []screening.Flag{{Code: "spec_use_mismatch", MessageJA: "用途", Evidence: good[0].Evidence}}, screening.ActionReview, "message_ja"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := st.Verify(tc.flags, tc.action)
			if !strings.Contains(strings.Join(p, "\n"), tc.want) {
				t.Errorf("Verify = %v, want a problem containing %q", p, tc.want)
			}
		})
	}
}

func TestLoadScenariosOfTheRepository(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	scs, err := LoadScenarios(root + "/testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, sc := range scs {
		steps += len(sc.Steps)
		if sc.Description == "" {
			t.Errorf("%s has no description", sc.File)
		}
	}
	if len(scs) < 25 {
		t.Errorf("%d scenarios, want at least 25", len(scs))
	}
	t.Logf("%d scenarios, %d steps", len(scs), steps)
}

func FuzzParseScenario(f *testing.F) {
	f.Add([]byte(goodScenario))
	f.Add([]byte("name: x\nsteps:\n  - inquiry: [1, 2]\n"))
	f.Add([]byte("name: x\nsteps:\n  - inquiry: {received_at: 2026-01-01T00:00:00Z, items: {a: b}}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := ParseScenario(b)
		if err != nil {
			return
		}
		for _, st := range sc.Steps {
			if st.Inquiry.ReceivedAt.IsZero() || len(st.Body) == 0 {
				t.Fatalf("accepted step without received_at or body: %+v", st)
			}
		}
	})
}
