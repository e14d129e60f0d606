package screening

import (
	"fmt"
	"time"
)

// Settings are the tunable parts of screening, read from rules/ (YAML) by package
// rules. Each check owns one section; its Validate is called by Settings.Validate.
type Settings struct {
	Scoring Scoring         `yaml:"scoring"`
	Cases   CaseSettings    `yaml:"cases"`
	Website WebsiteSettings `yaml:"no_website"`

	DuplicateInquiry DuplicateSettings     `yaml:"duplicate_inquiry"`
	SpecUseMismatch  SpecUseSettings       `yaml:"spec_use_mismatch"`
	Products         []Product             `yaml:"products"` // the product catalogue (rules/products.yaml)
	SharedContact    SharedContactSettings `yaml:"shared_contact"`
	FreeMailDomains  []string              `yaml:"free_mail_domains"` // shared by shared_contact and no_website
	EndUserChange    EndUserChangeSettings `yaml:"end_user_change"`
	PayerMismatch    PayerSettings         `yaml:"payer_mismatch"`
	DeniedParty      DeniedPartySettings   `yaml:"denied_party"`
	Rescreen         RescreenSettings      `yaml:"rescreen"`
}

// Scoring turns points into a score, a level and an action.
type Scoring struct {
	MediumFrom   int `yaml:"medium_from"`   // score at or above: level medium
	HighFrom     int `yaml:"high_from"`     // score at or above: level high
	ReviewFrom   int `yaml:"review_from"`   // score at or above: action review
	BlockFrom    int `yaml:"block_from"`    // score at or above: action block
	HistoryLimit int `yaml:"history_limit"` // most past entries one look-up returns
	// CheckTimeout bounds every check; the website check has its own shorter deadline.
	CheckTimeout time.Duration `yaml:"check_timeout"`
	// HistoryRetentionDays: history entries received longer ago are pruned
	// once a day (0 keeps them for ever). It must cover every check's window
	// and the re-screening window.
	HistoryRetentionDays int `yaml:"history_retention_days"`
}

// HistoryRetention is HistoryRetentionDays as a duration (0: keep for ever).
func (sc *Scoring) HistoryRetention() time.Duration {
	return time.Duration(sc.HistoryRetentionDays) * 24 * time.Hour
}

// CaseSettings governs reviewer decisions.
type CaseSettings struct {
	// FourEyesForBlock: clearing a block case needs an admin, or a second reviewer
	// different from the first.
	FourEyesForBlock bool `yaml:"four_eyes_for_block"`
}

// Validate checks every section and names the first bad setting.
func (s *Settings) Validate() error {
	if err := s.Scoring.Validate(); err != nil {
		return fmt.Errorf("scoring: %w", err)
	}
	for _, v := range s.sections() {
		if err := v.validate(); err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
	}
	// Pruning must never take what a check still compares with.
	if keep := s.Scoring.HistoryRetention(); keep > 0 {
		for _, w := range []struct {
			name   string
			window time.Duration
		}{
			{"duplicate_inquiry.window", s.DuplicateInquiry.Window},
			{"shared_contact.window", s.SharedContact.Window},
			{"rescreen.window_days", time.Duration(s.Rescreen.WindowDays) * 24 * time.Hour},
		} {
			if w.window > keep {
				return fmt.Errorf("scoring: history_retention_days (%d) is shorter than %s (%s): pruning would remove what the check compares with",
					s.Scoring.HistoryRetentionDays, w.name, w.window)
			}
		}
	}
	return nil
}

// section pairs a settings section with its name for error messages. Checks add
// their sections in sections() below.
type section struct {
	name     string
	validate func() error
}

func (s *Settings) sections() []section {
	return []section{
		{"no_website", s.Website.Validate},
		{"denied_party", s.DeniedParty.Validate},
		{"rescreen", s.Rescreen.Validate},
		{"duplicate_inquiry", s.DuplicateInquiry.Validate},
		{"spec_use_mismatch", s.SpecUseMismatch.Validate},
		{"products", func() error { return validateProducts(s.Products) }},
		{"shared_contact", s.SharedContact.Validate},
		{"free_mail_domains", func() error { return validateFreeMailDomains(s.FreeMailDomains) }},
		{"end_user_change", s.EndUserChange.Validate},
		{"payer_mismatch", s.PayerMismatch.Validate},
	}
}

// Validate checks that the thresholds are in range and ordered.
func (sc *Scoring) Validate() error {
	for name, v := range map[string]int{"medium_from": sc.MediumFrom, "high_from": sc.HighFrom, "review_from": sc.ReviewFrom, "block_from": sc.BlockFrom} {
		if v < 1 || v > 100 {
			return fmt.Errorf("%s: %d is not within 1..100", name, v)
		}
	}
	if sc.MediumFrom > sc.HighFrom {
		return fmt.Errorf("medium_from (%d) is above high_from (%d)", sc.MediumFrom, sc.HighFrom)
	}
	if sc.ReviewFrom > sc.BlockFrom {
		return fmt.Errorf("review_from (%d) is above block_from (%d)", sc.ReviewFrom, sc.BlockFrom)
	}
	if sc.HistoryLimit < 1 || sc.HistoryLimit > 10000 {
		return fmt.Errorf("history_limit: %d is not within 1..10000", sc.HistoryLimit)
	}
	if sc.CheckTimeout <= 0 || sc.CheckTimeout > time.Minute {
		return fmt.Errorf("check_timeout: %s is not within (0, 1m]", sc.CheckTimeout)
	}
	if sc.HistoryRetentionDays < 0 || sc.HistoryRetentionDays > 36500 {
		return fmt.Errorf("history_retention_days: %d is not within 0..36500", sc.HistoryRetentionDays)
	}
	return nil
}

// Grade maps a score to its level and action.
func (sc *Scoring) Grade(score int) (Level, Action) {
	level := LevelLow
	switch {
	case score >= sc.HighFrom:
		level = LevelHigh
	case score >= sc.MediumFrom:
		level = LevelMedium
	}
	action := ActionProceed
	switch {
	case score >= sc.BlockFrom:
		action = ActionBlock
	case score >= sc.ReviewFrom:
		action = ActionReview
	}
	return level, action
}

// RescreenSettings govern delta re-screening when a list changes.
type RescreenSettings struct {
	// WindowDays: counterparties seen within this many days are screened again.
	WindowDays int `yaml:"window_days"`
	// Workers bounds concurrent searches of one run.
	Workers int `yaml:"workers"`
}

// Validate checks the ranges.
func (r *RescreenSettings) Validate() error {
	if r.WindowDays < 1 || r.WindowDays > 3650 {
		return fmt.Errorf("window_days: %d is not within 1..3650", r.WindowDays)
	}
	if r.Workers < 1 || r.Workers > 64 {
		return fmt.Errorf("workers: %d is not within 1..64", r.Workers)
	}
	return nil
}
