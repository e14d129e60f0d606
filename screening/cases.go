package screening

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReasonLength bounds a decision's or suppression's reason, in characters:
// long enough for a paragraph with a registry reference, short enough that the
// audit trail stays readable.
const MaxReasonLength = 2000

// Decide applies one reviewer's decision to a case in memory: it checks the
// decision, appends it to c.Decisions and moves c.Status. The caller stores the
// case with UpdateCase against the version it read, so that of two racing
// decisions only one is kept.
//
// d.Decision is clear, reject or escalate; d.Reason is required; d.Role must be
// reviewer or admin; d.KeyID names the reviewer (four eyes compares key ids);
// d.At is the time of the decision. Decide trims the reason and sets d.Pending.
//
//   - reject    → rejected (stopping a deal never needs a second person)
//   - escalate  → escalated (still undecided; any reviewer or admin may decide it)
//   - clear     → cleared, except a block case under s.FourEyesForBlock, which an
//     admin clears at once while a reviewer's clear is recorded as pending until
//     a second, different reviewer (or an admin) clears too.
//
// An escalation voids earlier pending clears: the case was handed on because
// someone was not sure, so the next clearance starts again.
//
// Errors: EINVALID (bad decision or reason), EFORBIDDEN (wrong role, or the same
// reviewer clearing a block case twice), ECONFLICT (the case is already decided,
// or already escalated when escalating again).
func Decide(c *Case, d Decision, s CaseSettings) error {
	d.Reason = strings.TrimSpace(d.Reason)
	if err := validateDecision(d); err != nil {
		return err
	}
	if d.Role != RoleReviewer && d.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only a reviewer or an admin may decide a case")
	}
	switch c.Status {
	case CaseOpen, CaseEscalated:
	case CaseCleared, CaseRejected:
		return Errorf(ECONFLICT, "case %s is already %s", c.ID, c.Status)
	default:
		return Errorf(EINTERNAL, "case %s has unknown status %q", c.ID, c.Status)
	}
	d.Pending = false
	next := c.Status
	switch d.Decision {
	case DecisionReject:
		next = CaseRejected
	case DecisionEscalate:
		if c.Status == CaseEscalated {
			return Errorf(ECONFLICT, "case %s is already escalated", c.ID)
		}
		next = CaseEscalated
	case DecisionClear:
		next = CaseCleared
		if c.Action == ActionBlock && s.FourEyesForBlock && d.Role != RoleAdmin {
			first, ok := pendingClear(c)
			switch {
			case !ok:
				d.Pending, next = true, c.Status
			case first.KeyID == d.KeyID:
				return Errorf(EFORBIDDEN, "four eyes: you already cleared case %s (pending); a second, different reviewer or an admin must clear it", c.ID)
			}
		}
	}
	c.Decisions = append(c.Decisions, d)
	c.Status = next
	c.UpdatedAt = d.At
	return nil
}

// pendingClear returns the pending clear that still counts: the latest one with
// no escalation after it.
func pendingClear(c *Case) (Decision, bool) {
	for i := len(c.Decisions) - 1; i >= 0; i-- {
		d := c.Decisions[i]
		switch {
		case d.Decision == DecisionEscalate:
			return Decision{}, false
		case d.Decision == DecisionClear && d.Pending:
			return d, true
		}
	}
	return Decision{}, false
}

// PendingClear reports the reviewer whose clear of a block case waits for a
// second pair of eyes ("" when none), for the web page and the case view.
func PendingClear(c *Case) (keyID string, ok bool) {
	d, ok := pendingClear(c)
	return d.KeyID, ok
}

func validateDecision(d Decision) error {
	fields := map[string]string{}
	switch d.Decision {
	case DecisionClear, DecisionReject, DecisionEscalate:
	case "":
		fields["decision"] = "required: clear, reject or escalate"
	default:
		fields["decision"] = fmt.Sprintf("%q is not one of clear, reject, escalate", d.Decision)
	}
	if why := CheckReason(d.Reason); why != "" {
		fields["reason"] = why
	}
	if d.At.IsZero() {
		return Errorf(EINTERNAL, "decision without a time")
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: "invalid decision", Fields: fields}
	}
	return nil
}

// CheckReason says what is wrong with a reviewer's reason ("" when it is fine):
// it must say something, within MaxReasonLength characters, without control
// characters other than line breaks and tabs (they would garble the audit export).
func CheckReason(reason string) string {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "required: say why"
	case !utf8.ValidString(reason):
		return "not valid UTF-8"
	case utf8.RuneCountInString(reason) > MaxReasonLength:
		return fmt.Sprintf("at most %d characters", MaxReasonLength)
	case strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }):
		return "contains control characters"
	}
	return ""
}
