package screening

import (
	"context"
	"fmt"

	"github.com/hikiai/hikiai/screening/names"
)

// DeniedPartySettings tune list screening (rules/defaults/denied_party.yaml).
type DeniedPartySettings struct {
	Disabled bool `yaml:"disabled"`
	// Threshold is the name score from which a hit is a flag.
	Threshold float64 `yaml:"threshold"`
	// StrongThreshold: a hit on a strong name at or above it blocks the inquiry.
	StrongThreshold float64 `yaml:"strong_threshold"`
	Points          int     `yaml:"points"`        // a possible match: a reviewer decides
	StrongPoints    int     `yaml:"strong_points"` // a strong match
	MaxHitsPerParty int     `yaml:"max_hits_per_party"`
	// CountryOnly drops entries that name only other countries than the party's.
	CountryOnly bool `yaml:"country_only"`
}

// Validate checks the ranges.
func (s *DeniedPartySettings) Validate() error {
	switch {
	case s.Threshold <= 0 || s.Threshold >= 1:
		return fmt.Errorf("threshold: %v is not within (0, 1)", s.Threshold)
	case s.StrongThreshold < s.Threshold || s.StrongThreshold > 1:
		return fmt.Errorf("strong_threshold: %v must lie between threshold and 1", s.StrongThreshold)
	case s.Points < 0 || s.Points > 100 || s.StrongPoints < s.Points || s.StrongPoints > 100:
		return fmt.Errorf("points %d and strong_points %d must satisfy 0 <= points <= strong_points <= 100", s.Points, s.StrongPoints)
	case s.MaxHitsPerParty < 1 || s.MaxHitsPerParty > 20:
		return fmt.Errorf("max_hits_per_party: %d is not within 1..20", s.MaxHitsPerParty)
	}
	return nil
}

// SuppressionSource gives the reviewers' false-positive decisions for a counterparty.
type SuppressionSource interface {
	Suppressions(ctx context.Context, counterpartyKey string) ([]Suppression, error)
}

// DeniedPartyCheck screens every party of an inquiry against the loaded lists.
type DeniedPartyCheck struct {
	settings     DeniedPartySettings
	lists        *Lists
	suppressions SuppressionSource
}

// NewDeniedPartyCheck builds the check over the service's lists.
func NewDeniedPartyCheck(s DeniedPartySettings, lists *Lists, sup SuppressionSource) *DeniedPartyCheck {
	return &DeniedPartyCheck{settings: s, lists: lists, suppressions: sup}
}

// Code is denied_party.
func (c *DeniedPartyCheck) Code() string { return "denied_party" }

// Run searches each party's name (in its country) and raises one flag per
// matching entry. Without loaded lists it cannot clear anyone: it says so and
// the engine holds the inquiry for review.
func (c *DeniedPartyCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	set := c.lists.Current()
	if set == nil || set.Len() == 0 {
		return nil, &Degraded{Reason: "denied-party lists are not loaded; import them with `hikiai sources import` or `hikiai sources refresh`"}
	}
	var flags []Flag
	for _, p := range in.Inquiry.Parties() {
		fs, err := c.partyFlags(ctx, set, p)
		flags = append(flags, fs...)
		if err != nil {
			return flags, err
		}
	}
	return flags, nil
}

// partyFlags searches one party and builds its flags, suppressed ones included.
func (c *DeniedPartyCheck) partyFlags(ctx context.Context, set *ListSet, p RoledParty) ([]Flag, error) {
	hits := set.Search(p.Party.Name, names.SearchOptions{
		Country: p.Party.Country, CountryOnly: c.settings.CountryOnly,
		Limit: c.settings.MaxHitsPerParty, MinScore: c.settings.Threshold, Threshold: c.settings.Threshold,
	})
	if len(hits) == 0 {
		return nil, nil
	}
	var sups []Suppression
	if c.suppressions != nil {
		var err error
		if sups, err = c.suppressions.Suppressions(ctx, names.Key(p.Party.Name)); err != nil {
			return nil, fmt.Errorf("read suppressions: %w", err)
		}
	}
	flags := make([]Flag, 0, len(hits))
	counted := -1 // the possible match whose points count for this party
	for _, h := range hits {
		f := c.flag(set, p, h, sups)
		if !f.Block && !f.Suppressed {
			// Possible matches of one party are one sign, "this name resembles
			// listed names", however many entries it resembles: a name near
			// two entries of one listed firm (MOF's "JSC NNK", the CSL's "CJSC
			// NNK") must not add up to a block that no single hit asks for.
			// Every hit stays a flag for the reviewer; the first carries the
			// points (hits come best first).
			if counted >= 0 {
				f.Points = 0
				f.Evidence["points_with"] = flags[counted].Evidence["entry_key"]
			} else {
				counted = len(flags)
			}
		}
		flags = append(flags, f)
	}
	return flags, nil
}

func (c *DeniedPartyCheck) flag(set *ListSet, p RoledParty, h ListHit, sups []Suppression) Flag {
	e := h.Entry
	strong := h.Strong && h.Score >= c.settings.StrongThreshold && !onlyInitials(h.Comparison.Pairs)
	listEN, listJA := ListName(e.Source)
	roleEN, roleJA := roleName(p.Role)
	f := Flag{
		Code: "denied_party", Party: p.Role, Severity: SeverityMedium, Points: c.settings.Points,
		Evidence: map[string]any{
			"list": e.Source, "list_name": listEN, "list_version": set.SourceVersion(e.Source),
			"entry_key": e.Key(), "entry_hash": h.EntryHash(), "source_id": e.SourceID,
			"party_name": p.Party.Name, "party_country": p.Party.Country,
			"matched_name": h.Name, "primary_name": e.PrimaryName(), "weak_alias": h.Weak,
			"score": round3(h.Score), "strong": strong, "explanation": h.Comparison.Explanation,
			"pairs": h.Comparison.Pairs, "country_adjustment": round3(h.CountryAdjustment),
			"entry_kind": e.Kind, "entry_countries": e.Countries, "programs": e.Programs,
			"source_url": e.SourceURL,
		},
	}
	if from := e.NameFrom(h.Name); from != "" {
		// "Sergey Petrov" matched; the list writes "Sergei (Sergey) Petrov".
		f.Evidence["matched_name_from"] = from
	}
	if len(e.Attributes) > 0 {
		f.Evidence["entry_attributes"] = e.Attributes
	}
	if strong {
		f.Severity, f.Points, f.Block = SeverityHigh, c.settings.StrongPoints, true
		f.Message = fmt.Sprintf("The %s %q matches %q on the %s (score %.2f). Stop this deal and contact export control.", roleEN, p.Party.Name, h.Name, listEN, h.Score)
		f.MessageJA = fmt.Sprintf("%s「%s」が%sの「%s」と一致しました（一致度 %.2f）。取引を止め、輸出管理担当に連絡してください。", roleJA, p.Party.Name, listJA, h.Name, h.Score)
	} else {
		f.Message = fmt.Sprintf("The %s %q resembles %q on the %s (score %.2f). Export control must confirm it is a different party.", roleEN, p.Party.Name, h.Name, listEN, h.Score)
		f.MessageJA = fmt.Sprintf("%s「%s」が%sの「%s」に似ています（一致度 %.2f）。別の相手であることを輸出管理担当が確認する必要があります。", roleJA, p.Party.Name, listJA, h.Name, h.Score)
	}
	for _, s := range sups {
		if s.EntryKey != e.Key() {
			continue
		}
		if s.EntryHash == f.Evidence["entry_hash"] {
			f.Suppressed, f.Block, f.Points = true, false, 0
			f.Evidence["suppression"] = map[string]any{"reason": s.Reason, "key_id": s.KeyID, "at": s.At, "case_id": s.CaseID}
			f.Message = "Marked by a reviewer as not this party (false positive); shown for the record. " + f.Message
			f.MessageJA = "審査担当が別の相手（誤検知）と判断済みです。記録のため表示しています。" + f.MessageJA
		} else {
			f.Evidence["suppression_expired"] = map[string]any{"reason": s.Reason, "at": s.At,
				"why": "the list entry changed after the reviewer's decision"}
		}
	}
	return f
}

// onlyInitials reports whether every paired word matched only as an acronym or
// an initial: "BUAA" may well be Beihang, but many names share those letters, so
// such a match goes to a reviewer and never blocks by itself.
func onlyInitials(pairs []names.TokenPair) bool {
	if len(pairs) == 0 {
		return false
	}
	for _, p := range pairs {
		if p.Via != "acronym" && p.Via != "initial" {
			return false
		}
	}
	return true
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
