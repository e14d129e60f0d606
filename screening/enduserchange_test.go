package screening

import (
	"strings"
	"testing"
	"time"
)

func testEndUserSettings() EndUserChangeSettings {
	return EndUserChangeSettings{NamePoints: 30, CountryPoints: 40}
}

func dealInquiry(ref, deal, endUser, country string) Inquiry {
	q := Inquiry{Reference: ref, Deal: deal, Customer: Party{Name: "Alpha Trading", Country: "CN"}, Items: []Item{checkItem("MC-5X200", 1)}}
	if endUser != "" {
		q.EndUser = &Party{Name: endUser, Country: country}
	}
	return q
}

func TestEndUserChange(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name        string
		steps       []checkStep
		wantChanged []string // nil: no flag
		wantPoints  int
		wantPrev    string
		wantNew     string
	}{
		{
			name: "new end user in the same deal",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Tianjin Precision Parts", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-7", "Harbin Special Machinery", "CN"), baseTime.Add(5 * day)},
			},
			wantChanged: []string{"name"}, wantPoints: 30, wantPrev: "Tianjin Precision Parts", wantNew: "Harbin Special Machinery",
		},
		{
			name: "same end user, another country",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-7", "Orion Components", "HK"), baseTime.Add(day)},
			},
			wantChanged: []string{"country"}, wantPoints: 40, wantPrev: "Orion Components", wantNew: "Orion Components",
		},
		{
			name: "name and country",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-7", "Pars Industrial Group", "IR"), baseTime.Add(day)},
			},
			wantChanged: []string{"name", "country"}, wantPoints: 40, wantPrev: "Orion Components", wantNew: "Pars Industrial Group",
		},
		{
			name: "same end user written differently",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "株式会社ＸＹＺ精機", "JP"), baseTime},
				{dealInquiry("A-2", "deal-7", "XYZ Seiki Co., Ltd.", "JP"), baseTime.Add(day)},
			},
		},
		{
			name: "other deal",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-8", "Pars Industrial Group", "IR"), baseTime.Add(day)},
			},
		},
		{
			name: "no deal given",
			steps: []checkStep{
				{dealInquiry("A-1", "", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "", "Pars Industrial Group", "IR"), baseTime.Add(day)},
			},
		},
		{
			name: "compared with the latest earlier statement only",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-7", "Vega Works", "CN"), baseTime.Add(day)},
				{dealInquiry("A-3", "DEAL-7", "Vega Works", "CN"), baseTime.Add(2 * day)},
			},
		},
		{
			name: "out of order: the earlier statement arrives last",
			steps: []checkStep{
				{dealInquiry("A-2", "DEAL-7", "Vega Works", "CN"), baseTime.Add(day)},
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
			},
			wantChanged: []string{"name"}, wantPoints: 30, wantPrev: "Orion Components", wantNew: "Vega Works",
		},
		{
			name: "late arrival in between the same end user: nothing new",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-3", "DEAL-7", "Vega Works", "CN"), baseTime.Add(3 * day)},
				{dealInquiry("A-2", "DEAL-7", "Orion Components", "CN"), baseTime.Add(day)},
			},
		},
		{
			name: "the same inquiry screened again",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "HK"), baseTime},
			},
		},
		{
			name: "end user left out later: nothing to compare",
			steps: []checkStep{
				{dealInquiry("A-1", "DEAL-7", "Orion Components", "CN"), baseTime},
				{dealInquiry("A-2", "DEAL-7", "", ""), baseTime.Add(day)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags := runCheckSteps(t, tc.steps, NewEndUserChangeCheck(testEndUserSettings()))
			if tc.wantChanged == nil {
				if len(flags) > 0 {
					t.Fatalf("unexpected flag: %s", flags[0].Message)
				}
				return
			}
			if len(flags) != 1 {
				t.Fatalf("%d flags, want 1", len(flags))
			}
			f := flags[0]
			if got := f.Evidence["changed"].([]string); strings.Join(got, ",") != strings.Join(tc.wantChanged, ",") {
				t.Errorf("changed %v, want %v", got, tc.wantChanged)
			}
			prev := f.Evidence["previous_end_user"].(endUserStatement)
			next := f.Evidence["new_end_user"].(endUserStatement)
			if f.Points != tc.wantPoints || prev.Name != tc.wantPrev || next.Name != tc.wantNew || !prev.StatedAt.Before(next.StatedAt) {
				t.Errorf("points %d, previous %+v, new %+v", f.Points, prev, next)
			}
			if !strings.Contains(f.MessageJA, "最終需要者が変わりました") || !strings.Contains(f.MessageJA, tc.wantNew) {
				t.Errorf("message_ja %q", f.MessageJA)
			}
		})
	}
}

func TestEndUserChangeSettingsValidate(t *testing.T) {
	for _, s := range []EndUserChangeSettings{{NamePoints: -1}, {NamePoints: 30, CountryPoints: 101}, {Window: -time.Hour}} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	s := testEndUserSettings()
	if err := s.Validate(); err != nil {
		t.Errorf("good settings: %v", err)
	}
}
