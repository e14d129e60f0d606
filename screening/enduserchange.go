package screening

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// CodeEndUserChange is raised when, within one deal, the end user named is no
// longer the one named before, or its country changed (METI 突然の最終需要者変更).
const CodeEndUserChange = "end_user_change"

// EndUserChangeSettings tune the end_user_change check (rules/end_user_change.yaml).
type EndUserChangeSettings struct {
	Disabled bool `yaml:"disabled"`
	// Window bounds how far apart two statements of one deal may be; 0 means
	// any time (a deal is one deal however long it runs).
	Window time.Duration `yaml:"window"`
	// NamePoints when the end user's name changed (same or unknown country).
	NamePoints int `yaml:"name_points"`
	// CountryPoints when the end user's country changed, with or without its name.
	CountryPoints int `yaml:"country_points"`
}

// Validate checks the end_user_change settings.
func (s *EndUserChangeSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	if err := validWindow("window", s.Window, 20*366*24*time.Hour); err != nil {
		return err
	}
	if err := validPoints("name_points", s.NamePoints); err != nil {
		return err
	}
	return validPoints("country_points", s.CountryPoints)
}

// EndUserChangeCheck raises end_user_change. Every inquiry with a deal and an
// end user records the end user under the deal; the check compares with the
// statement made just before this one (by received_at) or, when this one
// arrives late and is the earliest, with the one just after it.
type EndUserChangeCheck struct {
	s EndUserChangeSettings
}

// NewEndUserChangeCheck builds the check from validated settings.
func NewEndUserChangeCheck(s EndUserChangeSettings) *EndUserChangeCheck {
	return &EndUserChangeCheck{s: s}
}

// Code implements Check.
func (c *EndUserChangeCheck) Code() string { return CodeEndUserChange }

// dealKey folds a deal id: width, case and surrounding space do not make
// another deal.
func dealKey(deal string) string {
	return strings.TrimSpace(foldText(deal))
}

// History implements Indexer: the end user stated for the deal.
func (c *EndUserChangeCheck) History(in *Input) []HistoryEntry {
	inq := in.Inquiry
	k := dealKey(inq.Deal)
	if k == "" || inq.EndUser == nil || strings.TrimSpace(inq.EndUser.Name) == "" {
		return nil
	}
	return []HistoryEntry{{
		Kind: HistoryDeal, Key: k, Party: RoleEndUser, Name: inq.EndUser.Name, NameKey: in.NameKey(inq.EndUser.Name),
		Country: inq.EndUser.Country, Value: inq.Deal, Window: c.s.Window,
	}}
}

// endUserStatement is one statement of a deal's end user, for evidence.
type endUserStatement struct {
	Name        string    `json:"name"`
	Country     string    `json:"country,omitempty"`
	StatedAt    time.Time `json:"stated_at"`
	ScreeningID string    `json:"screening_id"`
	Reference   string    `json:"reference,omitempty"`
}

// Run implements Check.
func (c *EndUserChangeCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	inq := in.Inquiry
	k := dealKey(inq.Deal)
	if k == "" || inq.EndUser == nil || strings.TrimSpace(inq.EndUser.Name) == "" {
		return nil, nil
	}
	cur := endUserStatement{Name: inq.EndUser.Name, Country: inq.EndUser.Country, StatedAt: in.ReceivedAt.UTC(),
		ScreeningID: in.ScreeningID, Reference: inq.Reference}
	curKey := in.NameKey(inq.EndUser.Name)

	var prev, next *HistoryEntry
	for _, e := range in.Seen(HistoryDeal, k) {
		if e.Party != RoleEndUser || !within(e.At, in.ReceivedAt, c.s.Window) {
			continue
		}
		// The same inquiry screened again is not an earlier statement.
		if inq.Reference != "" && e.Reference == inq.Reference {
			continue
		}
		e := e
		if !e.At.After(in.ReceivedAt) {
			if prev == nil || e.At.After(prev.At) {
				prev = &e
			}
		} else if next == nil || e.At.Before(next.At) {
			next = &e
		}
	}
	var before, after endUserStatement
	var beforeKey, afterKey string
	switch {
	case prev != nil:
		before = statementOf(prev)
		beforeKey = entryNameKey(prev)
		after, afterKey = cur, curKey
	case next != nil:
		// This inquiry arrived late: the change happened between it and the
		// next statement, which was screened first and had nothing to compare.
		before, beforeKey = cur, curKey
		after = statementOf(next)
		afterKey = entryNameKey(next)
	default:
		return nil, nil
	}
	var changed []string
	if beforeKey != afterKey {
		changed = append(changed, "name")
	}
	if before.Country != "" && after.Country != "" && before.Country != after.Country {
		changed = append(changed, "country")
	}
	if len(changed) == 0 {
		return nil, nil
	}
	points := c.s.NamePoints
	if len(changed) == 2 || changed[0] == "country" {
		points = max(c.s.CountryPoints, c.s.NamePoints)
	}
	en := fmt.Sprintf("The end user of deal %s changed: on %s it was %s, on %s it is %s. A sudden change of end user is a warning sign: ask the customer why, and screen the new end user before going on.",
		inq.Deal, before.StatedAt.Format("2006-01-02"), describeEndUser(before), after.StatedAt.Format("2006-01-02"), describeEndUser(after))
	ja := fmt.Sprintf("案件 %s の最終需要者が変わりました（%s: %s → %s: %s）。突然の需要者変更は注意が必要です。変更の理由を顧客に確認し、新しい需要者を審査してから進めてください。",
		inq.Deal, before.StatedAt.Format("2006-01-02"), describeEndUserJA(before), after.StatedAt.Format("2006-01-02"), describeEndUserJA(after))
	return []Flag{{
		Code: CodeEndUserChange, Severity: severityFor(points), Points: points, Party: RoleEndUser,
		Message: en, MessageJA: ja,
		Evidence: map[string]any{
			"deal": inq.Deal, "changed": changed, "previous_end_user": before, "new_end_user": after,
			"found_late": prev == nil,
		},
	}}, nil
}

func statementOf(e *HistoryEntry) endUserStatement {
	return endUserStatement{Name: e.Name, Country: e.Country, StatedAt: e.At.UTC(), ScreeningID: e.ScreeningID, Reference: e.Reference}
}

func entryNameKey(e *HistoryEntry) string {
	if e.NameKey != "" {
		return e.NameKey
	}
	return names.Key(e.Name)
}

func describeEndUser(s endUserStatement) string {
	if s.Country == "" {
		return s.Name
	}
	return fmt.Sprintf("%s (%s)", s.Name, s.Country)
}

func describeEndUserJA(s endUserStatement) string {
	if s.Country == "" {
		return s.Name
	}
	return fmt.Sprintf("%s（%s）", s.Name, s.Country)
}
