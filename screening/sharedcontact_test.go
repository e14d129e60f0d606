package screening

import (
	"strings"
	"testing"
	"time"
)

func testSharedSettings() SharedContactSettings {
	return SharedContactSettings{
		Window: 3 * 365 * 24 * time.Hour, Roles: []string{"customer", "end_user", "consignee", "payer", "intermediary"},
		EmailPoints: 30, PhonePoints: 25, FaxPoints: 20, AddressPoints: 20, DomainPoints: 15,
		ExtraKindPoints: 10, MaxPoints: 45, AddressMinWords: 3, AddressNeedsNumber: true,
		AddressAbbreviations: map[string]string{"st": "street", "rd": "road", "bldg": "building", "no": "number"},
		MaxCompanies:         10,
	}
}

// testPhone stands in for package phone: enough of CN and JP numbering for
// these tests (the real normaliser is tested in screening/phone and used by
// the scenario runner).
func testPhone(raw, country string) (string, bool) {
	var digits strings.Builder
	s := foldText(raw)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	if len(d) < 7 {
		return "", false
	}
	if strings.HasPrefix(strings.TrimSpace(s), "+") {
		return "+" + d, true
	}
	codes := map[string]string{"CN": "86", "JP": "81"}
	cc, ok := codes[country]
	if !ok || !strings.HasPrefix(d, "0") {
		return "", false
	}
	return "+" + cc + d[1:], true
}

var sharedFreeMail = []string{"gmail.com", "qq.com", "163.com", "yahoo.co.jp"}

func sharedInquiry(ref, customer string, p Party) Inquiry {
	p.Name = customer
	if p.Country == "" {
		p.Country = "CN"
	}
	return Inquiry{Reference: ref, Customer: p, Items: []Item{checkItem("MC-5X200", 1)}}
}

func TestSharedContact(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name       string
		steps      []checkStep
		wantKinds  []string // kinds in the evidence of the first flag; nil: no flag
		wantParty  string
		wantPoints int
		check      func(t *testing.T, f *Flag)
	}{
		{
			name: "same phone written in national and international form",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Phone: "010-1234-5678"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Phone: "+86 10 1234 5678"}), baseTime.Add(day)},
			},
			wantKinds: []string{"phone"}, wantParty: "customer", wantPoints: 25,
			check: func(t *testing.T, f *Flag) {
				sv := f.Evidence["shared"].([]sharedValue)[0]
				if sv.Normalized != "+861012345678" || sv.Companies[0].Name != "Alpha Trading" || sv.Companies[0].Reference != "A-1" || sv.Companies[0].ScreeningID == "" {
					t.Errorf("shared %+v", sv)
				}
				if !strings.Contains(f.MessageJA, "電話番号") || !strings.Contains(f.Message, "phone number") {
					t.Errorf("messages %q / %q", f.Message, f.MessageJA)
				}
			},
		},
		{
			name: "e-mail with case and plus-tag, and its company domain counted once",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "sales@alpha-trade.cn"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "Sales+beta@Alpha-Trade.cn"}), baseTime.Add(day)},
			},
			wantKinds: []string{"email"}, wantParty: "customer", wantPoints: 30,
		},
		{
			name: "company domain alone",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "wang@alpha-trade.cn"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "li@alpha-trade.cn"}), baseTime.Add(day)},
			},
			wantKinds: []string{"domain"}, wantParty: "customer", wantPoints: 15,
		},
		{
			name: "free-mail domain is not compared, and a subdomain of one neither",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "alpha@vip.163.com"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "beta@vip.163.com"}), baseTime.Add(day)},
			},
		},
		{
			name: "address written differently",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Address: "No. 5 Zhongguancun St., Haidian, Beijing"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Address: "ZHONGGUANCUN STREET 5, HAIDIAN BEIJING"}), baseTime.Add(day)},
			},
			wantKinds: []string{"address"}, wantParty: "customer", wantPoints: 20,
		},
		{
			name: "Japanese address, full-width digits and 丁目番号 form",
			steps: []checkStep{
				{sharedInquiry("A-1", "アルファ商事", Party{Country: "JP", Address: "東京都千代田区丸の内１丁目２番３号"}), baseTime},
				{sharedInquiry("B-1", "ベータ工業", Party{Country: "JP", Address: "東京都千代田区丸の内1-2-3"}), baseTime.Add(day)},
			},
			wantKinds: []string{"address"}, wantParty: "customer", wantPoints: 20,
		},
		{
			name: "vague address is not compared",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Address: "Beijing, China"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Address: "Beijing China"}), baseTime.Add(day)},
			},
		},
		{
			name: "fax of one is the phone of the other; e-mail too: extra kind points",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Fax: "010-1234-5678", Email: "info@alpha-trade.cn"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Phone: "+861012345678", Email: "INFO@alpha-trade.cn"}), baseTime.Add(day)},
			},
			wantKinds: []string{"email", "phone"}, wantParty: "customer", wantPoints: 40,
		},
		{
			name: "the same company written differently shares nothing",
			steps: []checkStep{
				{sharedInquiry("A-1", "株式会社ＡＢＣ商事", Party{Country: "JP", Phone: "03-1234-5678"}), baseTime},
				{sharedInquiry("A-2", "ABC Shoji Co., Ltd.", Party{Country: "JP", Phone: "+81 3 1234 5678"}), baseTime.Add(day)},
			},
		},
		{
			name: "declared affiliate shares the phone",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Holdings", Party{Phone: "010-1234-5678"}), baseTime},
				{func() Inquiry {
					q := sharedInquiry("A-2", "Alpha Trading", Party{Phone: "010 1234 5678"})
					q.Affiliates = []string{"ALPHA HOLDINGS CO., LTD."}
					return q
				}(), baseTime.Add(day)},
			},
		},
		{
			name: "end user gives the phone another company gave as customer",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Phone: "010-1234-5678"}), baseTime},
				{func() Inquiry {
					q := sharedInquiry("B-1", "Beta Machinery", Party{})
					q.EndUser = &Party{Name: "Gamma Research Institute", Country: "CN", Phone: "(010) 1234-5678"}
					return q
				}(), baseTime.Add(day)},
			},
			wantKinds: []string{"phone"}, wantParty: "end_user", wantPoints: 25,
			check: func(t *testing.T, f *Flag) {
				if !strings.Contains(f.MessageJA, "最終需要者") || !strings.Contains(f.Message, "end user") {
					t.Errorf("messages %q / %q", f.Message, f.MessageJA)
				}
			},
		},
		{
			name: "out of order: the later inquiry was screened first",
			steps: []checkStep{
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "x@front.cn"}), baseTime.Add(30 * day)},
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "x@front.cn"}), baseTime},
			},
			wantKinds: []string{"email"}, wantParty: "customer", wantPoints: 30,
		},
		{
			name: "outside the window",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "x@front.cn"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "x@front.cn"}), baseTime.Add(4 * 365 * day)},
			},
		},
		{
			name: "different values: nothing shared",
			steps: []checkStep{
				{sharedInquiry("A-1", "Alpha Trading", Party{Email: "a@alpha.cn", Phone: "010-1111-2222"}), baseTime},
				{sharedInquiry("B-1", "Beta Machinery", Party{Email: "b@beta.cn", Phone: "010-3333-4444"}), baseTime.Add(day)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags := runCheckSteps(t, tc.steps, NewSharedContactCheck(testSharedSettings(), sharedFreeMail, testPhone))
			if tc.wantKinds == nil {
				if len(flags) > 0 {
					t.Fatalf("unexpected flag: %s %v", flags[0].Message, flags[0].Evidence)
				}
				return
			}
			if len(flags) != 1 {
				t.Fatalf("%d flags, want 1: %+v", len(flags), flags)
			}
			f := &flags[0]
			var kinds []string
			for _, sv := range f.Evidence["shared"].([]sharedValue) {
				kinds = append(kinds, sv.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.wantKinds, ",") {
				t.Errorf("kinds %v, want %v", kinds, tc.wantKinds)
			}
			if f.Party != tc.wantParty || f.Points != tc.wantPoints {
				t.Errorf("party %s points %d, want %s %d", f.Party, f.Points, tc.wantParty, tc.wantPoints)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func TestSharedContactWithoutPhoneNormaliser(t *testing.T) {
	steps := []checkStep{
		{sharedInquiry("A-1", "Alpha Trading", Party{Phone: "+86 10 1234 5678"}), baseTime},
		{sharedInquiry("B-1", "Beta Machinery", Party{Phone: "+86-10-12345678"}), baseTime.Add(time.Hour)},
		{sharedInquiry("C-1", "Gamma Tech", Party{Phone: "010-1234-5678"}), baseTime.Add(2 * time.Hour)},
	}
	c := NewSharedContactCheck(testSharedSettings(), sharedFreeMail, nil)
	var f checkHistory
	got := []int{}
	for _, s := range steps {
		got = append(got, len(f.screen(t, checkInput(t, s.inq, s.at), c)))
	}
	// International forms compare; a national number cannot without a numbering plan.
	if got[0] != 0 || got[1] != 1 || got[2] != 0 {
		t.Errorf("flags per checkStep %v, want [0 1 0]", got)
	}
}

func TestSharedContactSettingsValidate(t *testing.T) {
	good := testSharedSettings()
	if err := good.Validate(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*SharedContactSettings)
		want   string
	}{
		{"negative window", func(s *SharedContactSettings) { s.Window = -time.Hour }, "window"},
		{"no roles", func(s *SharedContactSettings) { s.Roles = nil }, "roles"},
		{"unknown role", func(s *SharedContactSettings) { s.Roles = []string{"shipper"} }, "roles[0]"},
		{"points", func(s *SharedContactSettings) { s.EmailPoints = 101 }, "email_points"},
		{"two-word abbreviation", func(s *SharedContactSettings) { s.AddressAbbreviations = map[string]string{"st louis": "x"} }, "address_abbreviations"},
		{"min words", func(s *SharedContactSettings) { s.AddressMinWords = 0 }, "address_min_words"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testSharedSettings()
			tc.mutate(&s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
	if err := validateFreeMailDomains([]string{"gmail.com", "GMAIL.com"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate free-mail domain: %v", err)
	}
	if err := validateFreeMailDomains([]string{"user@gmail.com"}); err == nil {
		t.Error("an address accepted as a free-mail domain")
	}
}
