package screening

import (
	"strings"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	fourEyes := CaseSettings{FourEyesForBlock: true}
	dec := func(decision, keyID, role string) Decision {
		return Decision{Decision: decision, Reason: "  checked the registry  ", KeyID: keyID, Role: role, At: at}
	}
	pending := func(keyID string) Decision {
		d := dec(DecisionClear, keyID, RoleReviewer)
		d.Reason, d.Pending = "checked the registry", true
		return d
	}
	for _, tc := range []struct {
		name     string
		action   Action
		status   string
		prior    []Decision
		settings CaseSettings
		d        Decision
		// want: the new status and whether the recorded decision is pending, or
		// the error code (nothing recorded then).
		wantStatus  string
		wantPending bool
		wantCode    string
		wantField   string
		wantMessage string
	}{
		{name: "clear review case", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionClear, "key_r1", RoleReviewer), wantStatus: CaseCleared},
		{name: "reject review case", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionReject, "key_r1", RoleReviewer), wantStatus: CaseRejected},
		{name: "escalate open case", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionEscalate, "key_r1", RoleReviewer), wantStatus: CaseEscalated},
		{name: "clear escalated case", action: ActionReview, status: CaseEscalated, settings: fourEyes,
			prior: []Decision{dec(DecisionEscalate, "key_r1", RoleReviewer)},
			d:     dec(DecisionClear, "key_r2", RoleReviewer), wantStatus: CaseCleared},
		{name: "reject block case needs one reviewer", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionReject, "key_r1", RoleReviewer), wantStatus: CaseRejected},
		{name: "admin clears block case alone", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionClear, "key_a", RoleAdmin), wantStatus: CaseCleared},
		{name: "first reviewer's clear of block case is pending", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionClear, "key_r1", RoleReviewer), wantStatus: CaseOpen, wantPending: true},
		{name: "pending on escalated block case keeps it escalated", action: ActionBlock, status: CaseEscalated, settings: fourEyes,
			prior: []Decision{dec(DecisionEscalate, "key_r2", RoleReviewer)},
			d:     dec(DecisionClear, "key_r1", RoleReviewer), wantStatus: CaseEscalated, wantPending: true},
		{name: "second reviewer clears block case", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			prior: []Decision{pending("key_r1")},
			d:     dec(DecisionClear, "key_r2", RoleReviewer), wantStatus: CaseCleared},
		{name: "admin completes pending clear", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			prior: []Decision{pending("key_r1")},
			d:     dec(DecisionClear, "key_a", RoleAdmin), wantStatus: CaseCleared},
		{name: "same reviewer cannot be the second pair of eyes", action: ActionBlock, status: CaseOpen, settings: fourEyes,
			prior: []Decision{pending("key_r1")},
			d:     dec(DecisionClear, "key_r1", RoleReviewer), wantCode: EFORBIDDEN, wantMessage: "second, different reviewer"},
		{name: "escalation voids a pending clear", action: ActionBlock, status: CaseEscalated, settings: fourEyes,
			prior: []Decision{pending("key_r1"), dec(DecisionEscalate, "key_r2", RoleReviewer)},
			d:     dec(DecisionClear, "key_r2", RoleReviewer), wantStatus: CaseEscalated, wantPending: true},
		{name: "without four eyes a reviewer clears block case", action: ActionBlock, status: CaseOpen, settings: CaseSettings{},
			d: dec(DecisionClear, "key_r1", RoleReviewer), wantStatus: CaseCleared},
		{name: "cleared case is final", action: ActionReview, status: CaseCleared, settings: fourEyes,
			d: dec(DecisionReject, "key_r1", RoleReviewer), wantCode: ECONFLICT, wantMessage: "already cleared"},
		{name: "rejected case is final", action: ActionReview, status: CaseRejected, settings: fourEyes,
			d: dec(DecisionClear, "key_a", RoleAdmin), wantCode: ECONFLICT, wantMessage: "already rejected"},
		{name: "escalating twice", action: ActionReview, status: CaseEscalated, settings: fourEyes,
			d: dec(DecisionEscalate, "key_r1", RoleReviewer), wantCode: ECONFLICT, wantMessage: "already escalated"},
		{name: "sales may not decide", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec(DecisionClear, "key_s", RoleSales), wantCode: EFORBIDDEN},
		{name: "unknown decision", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec("approve", "key_r1", RoleReviewer), wantCode: EINVALID, wantField: "decision"},
		{name: "missing decision", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: dec("", "key_r1", RoleReviewer), wantCode: EINVALID, wantField: "decision"},
		{name: "blank reason", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: Decision{Decision: DecisionClear, Reason: " \n\t ", KeyID: "key_r1", Role: RoleReviewer, At: at}, wantCode: EINVALID, wantField: "reason"},
		{name: "reason too long", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: Decision{Decision: DecisionClear, Reason: strings.Repeat("理", MaxReasonLength+1), KeyID: "key_r1", Role: RoleReviewer, At: at}, wantCode: EINVALID, wantField: "reason"},
		{name: "reason with control characters", action: ActionReview, status: CaseOpen, settings: fourEyes,
			d: Decision{Decision: DecisionClear, Reason: "ok\x1b[2J", KeyID: "key_r1", Role: RoleReviewer, At: at}, wantCode: EINVALID, wantField: "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{ID: "case_1", Status: tc.status, Action: tc.action, Decisions: append([]Decision(nil), tc.prior...), CreatedAt: at.Add(-time.Hour), UpdatedAt: at.Add(-time.Hour)}
			before := len(c.Decisions)
			err := Decide(c, tc.d, tc.settings)
			if tc.wantCode != "" {
				if ErrorCode(err) != tc.wantCode {
					t.Fatalf("error %v, want code %s", err, tc.wantCode)
				}
				if tc.wantField != "" {
					if e := err.(*Error); e.Fields[tc.wantField] == "" {
						t.Errorf("error %v does not name field %s", err, tc.wantField)
					}
				}
				if !strings.Contains(err.Error(), tc.wantMessage) {
					t.Errorf("error %q does not say %q", err, tc.wantMessage)
				}
				if len(c.Decisions) != before || c.Status != tc.status || !c.UpdatedAt.Equal(at.Add(-time.Hour)) {
					t.Errorf("refused decision changed the case: status %s, %d decisions", c.Status, len(c.Decisions))
				}
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if c.Status != tc.wantStatus {
				t.Errorf("status %s, want %s", c.Status, tc.wantStatus)
			}
			if len(c.Decisions) != before+1 {
				t.Fatalf("%d decisions, want %d", len(c.Decisions), before+1)
			}
			got := c.Decisions[len(c.Decisions)-1]
			if got.Pending != tc.wantPending {
				t.Errorf("pending %v, want %v", got.Pending, tc.wantPending)
			}
			if got.Reason != "checked the registry" {
				t.Errorf("reason %q was not trimmed", got.Reason)
			}
			if got.KeyID != tc.d.KeyID || got.Decision != tc.d.Decision || !c.UpdatedAt.Equal(at) {
				t.Errorf("recorded %+v (updated %v), want the decision of %s at %v", got, c.UpdatedAt, tc.d.KeyID, at)
			}
		})
	}
}

// TestDecideFourEyesSequence walks a block case through the whole four-eyes
// path on one value, as the API does across requests.
func TestDecideFourEyesSequence(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := CaseSettings{FourEyesForBlock: true}
	c := &Case{ID: "case_1", Status: CaseOpen, Action: ActionBlock}
	step := func(keyID, decision string) error {
		at = at.Add(time.Minute)
		return Decide(c, Decision{Decision: decision, Reason: "why " + keyID, KeyID: keyID, Role: RoleReviewer, At: at}, s)
	}
	if err := step("key_r1", DecisionClear); err != nil || c.Status != CaseOpen {
		t.Fatalf("first clear: %v, status %s", err, c.Status)
	}
	if who, ok := PendingClear(c); !ok || who != "key_r1" {
		t.Errorf("PendingClear = %q, %v; want key_r1", who, ok)
	}
	if err := step("key_r1", DecisionClear); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("same reviewer again: %v, want forbidden", err)
	}
	if err := step("key_r2", DecisionClear); err != nil || c.Status != CaseCleared {
		t.Fatalf("second clear: %v, status %s", err, c.Status)
	}
	if len(c.Decisions) != 2 || !c.Decisions[0].Pending || c.Decisions[1].Pending {
		t.Errorf("decisions %+v, want a pending clear then a final one", c.Decisions)
	}
	if err := step("key_r3", DecisionReject); ErrorCode(err) != ECONFLICT {
		t.Errorf("decision on a cleared case: %v, want conflict", err)
	}
}
