package screening

import (
	"strings"
	"testing"
	"time"
)

func testDuplicateSettings() DuplicateSettings {
	return DuplicateSettings{
		Window: 14 * 24 * time.Hour, MinRequesters: 2, RepeatCount: 3,
		RequestersPoints: 25, ExtraRequesterPoints: 5, MaxPoints: 40, RepeatPoints: 15,
		AffiliatesAreSameRequester: true, DescriptionMinWords: 3,
		DescriptionStopWords: []string{"a", "the", "for", "with", "用"}, MaxEvidence: 20,
	}
}

func dupInquiry(ref, customer string, items ...Item) Inquiry {
	return Inquiry{Reference: ref, Customer: Party{Name: customer, Country: "CN"}, Items: items}
}

func TestDuplicateInquiry(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name       string
		steps      []checkStep
		wantPoints int // 0: no flag
		wantReason []string
		check      func(t *testing.T, f *Flag)
	}{
		{
			name: "two different requesters, same code",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading Co., Ltd.", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery LLC", checkItem("MC-5X200", 2)), baseTime.Add(3 * day)},
			},
			wantPoints: 25, wantReason: []string{"different_requesters"},
			check: func(t *testing.T, f *Flag) {
				others := f.Evidence["other_inquiries"].([]otherInquiry)
				if len(others) != 1 || others[0].Reference != "A-1" || others[0].Customer != "Alpha Trading Co., Ltd." || others[0].MatchedOn != "product_code" {
					t.Errorf("other inquiries %+v", others)
				}
				if !strings.Contains(f.MessageJA, "別の会社") || !strings.Contains(f.Message, "Alpha Trading") {
					t.Errorf("messages %q / %q", f.Message, f.MessageJA)
				}
			},
		},
		{
			name: "product code written differently: width, case, punctuation",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("ＭＣ－５Ｘ２００", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery", checkItem("mc 5x200", 1)), baseTime.Add(day)},
			},
			wantPoints: 25, wantReason: []string{"different_requesters"},
		},
		{
			name: "near-identical description, no product code",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", Item{Description: "5-axis machining centre with 0.8 um accuracy", Quantity: 1}), baseTime},
				{dupInquiry("B-1", "Beta Machinery", Item{Description: "Machining Centre (5 axis), 0.8um accuracy", Quantity: 1}), baseTime.Add(day)},
			},
			wantPoints: 25, wantReason: []string{"different_requesters"},
			check: func(t *testing.T, f *Flag) {
				if o := f.Evidence["other_inquiries"].([]otherInquiry); o[0].MatchedOn != "description" {
					t.Errorf("matched on %q", o[0].MatchedOn)
				}
			},
		},
		{
			name: "one-word description is not compared",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", Item{Description: "pump", Quantity: 1}), baseTime},
				{dupInquiry("B-1", "Beta Machinery", Item{Description: "Pump", Quantity: 1}), baseTime.Add(day)},
			},
		},
		{
			name: "same company written differently is not a second requester",
			steps: []checkStep{
				{dupInquiry("A-1", "株式会社ＡＢＣ商事", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("A-2", "ABC Shoji Co., Ltd.", checkItem("MC-5X200", 1)), baseTime.Add(day)},
			},
		},
		{
			name: "exactly on the window edge counts",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery", checkItem("MC-5X200", 1)), baseTime.Add(14 * day)},
			},
			wantPoints: 25, wantReason: []string{"different_requesters"},
		},
		{
			name: "one second past the window does not",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery", checkItem("MC-5X200", 1)), baseTime.Add(14*day + time.Second)},
			},
		},
		{
			name: "out of order: the later inquiry was screened first",
			steps: []checkStep{
				{dupInquiry("B-1", "Beta Machinery", checkItem("MC-5X200", 1)), baseTime.Add(10 * day)},
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
			},
			wantPoints: 25, wantReason: []string{"different_requesters"},
		},
		{
			name: "three other requesters add points",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("INV-HF700", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery", checkItem("INV-HF700", 1)), baseTime.Add(day)},
				{dupInquiry("C-1", "Gamma Industrial", checkItem("INV-HF700", 1)), baseTime.Add(2 * day)},
				{dupInquiry("D-1", "Delta Tech", checkItem("INV-HF700", 1)), baseTime.Add(3 * day)},
			},
			wantPoints: 35, wantReason: []string{"different_requesters"},
			check: func(t *testing.T, f *Flag) {
				if f.Evidence["requesters"] != 4 {
					t.Errorf("requesters %v", f.Evidence["requesters"])
				}
			},
		},
		{
			name: "one requester three times",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("A-2", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime.Add(day)},
				{dupInquiry("A-3", "ALPHA TRADING CO LTD", checkItem("MC-5X200", 1)), baseTime.Add(2 * day)},
			},
			wantPoints: 15, wantReason: []string{"repeated"},
			check: func(t *testing.T, f *Flag) {
				if f.Evidence["inquiries_by_this_company"] != 3 || !strings.Contains(f.MessageJA, "3回") {
					t.Errorf("evidence %v, message %q", f.Evidence, f.MessageJA)
				}
			},
		},
		{
			name: "one requester twice is not a flag",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("A-2", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime.Add(day)},
			},
		},
		{
			name: "the same reference screened again is the same inquiry",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime},
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-5X200", 1)), baseTime.Add(time.Hour)},
			},
		},
		{
			name: "declared affiliate is the same requester",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Holdings", checkItem("MC-5X200", 1)), baseTime},
				{func() Inquiry {
					q := dupInquiry("A-2", "Alpha Trading", checkItem("MC-5X200", 1))
					q.Affiliates = []string{"Alpha Holdings Co., Ltd."}
					return q
				}(), baseTime.Add(day)},
			},
		},
		{
			name: "other product is no duplicate",
			steps: []checkStep{
				{dupInquiry("A-1", "Alpha Trading", checkItem("MC-3X100", 1)), baseTime},
				{dupInquiry("B-1", "Beta Machinery", checkItem("MC-5X200", 1)), baseTime.Add(day)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags := runCheckSteps(t, tc.steps, NewDuplicateCheck(testDuplicateSettings()))
			f := findFlag(flags, CodeDuplicateInquiry)
			if tc.wantPoints == 0 {
				if f != nil {
					t.Fatalf("unexpected flag: %s %v", f.Message, f.Evidence)
				}
				return
			}
			if f == nil {
				t.Fatal("no duplicate_inquiry flag")
			}
			if f.Points != tc.wantPoints {
				t.Errorf("points %d, want %d", f.Points, tc.wantPoints)
			}
			if got := f.Evidence["reasons"].([]string); strings.Join(got, ",") != strings.Join(tc.wantReason, ",") {
				t.Errorf("reasons %v, want %v", got, tc.wantReason)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func TestDuplicateSettingsValidate(t *testing.T) {
	good := testDuplicateSettings()
	if err := good.Validate(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*DuplicateSettings)
		want   string
	}{
		{"no window", func(s *DuplicateSettings) { s.Window = 0 }, "window"},
		{"one requester", func(s *DuplicateSettings) { s.MinRequesters = 1 }, "min_requesters"},
		{"repeat 1", func(s *DuplicateSettings) { s.RepeatCount = 1 }, "repeat_count"},
		{"points over 100", func(s *DuplicateSettings) { s.RequestersPoints = 120 }, "requesters_points"},
		{"max below base", func(s *DuplicateSettings) { s.MaxPoints = 10 }, "max_points"},
		{"empty stop word", func(s *DuplicateSettings) { s.DescriptionStopWords = []string{" "} }, "description_stop_words[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testDuplicateSettings()
			tc.mutate(&s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
	if err := (&DuplicateSettings{Disabled: true}).Validate(); err != nil {
		t.Errorf("disabled section: %v", err)
	}
}
