package screening

import (
	"strings"
	"testing"
)

func ptrF64(v float64) *float64 { return &v }

func testSpecUseSettings() SpecUseSettings {
	return SpecUseSettings{
		VagueUse: VagueUseSettings{
			Points:  15,
			Phrases: []string{"general use", "general purpose", "general", "various", "tbd", "一般用途", "一般", "汎用", "未定"},
			Fillers: []string{"for", "use", "purpose", "our", "the", "only", "用途", "用", "です", "向け", "の"},
		},
		Rules: []SpecUseRule{
			{
				ID: "SU-2B001", Title: "a 5-axis sub-micron machine tool (2B001)", TitleJA: "同時5軸・サブミクロン精度の工作機械（2B001）",
				Select: ProductSelector{
					ControlEntries: []string{"2B001", "2B201"},
					HSPrefixes:     []string{"8457", "8459"},
					Specs:          map[string]SpecCondition{"axes": {GTE: ptrF64(5)}},
					SpecsAny: map[string]SpecCondition{
						"repeatability_um":        {LTE: ptrF64(0.9)},
						"positioning_accuracy_um": {LTE: ptrF64(0.9)},
					},
				},
				ImplausibleUses: []string{"school", "education", "hobby", "diy", "学校", "教育", "ホビー", "趣味"},
				Points:          40, Citations: []string{"Wassenaar 2B001.b.2"},
			},
			{
				ID: "SU-2B352", Title: "a contained fermenter (2B352)", TitleJA: "密閉型培養槽（2B352）",
				Select: ProductSelector{Specs: map[string]SpecCondition{
					"volume_l": {GTE: ptrF64(20)}, "aerosol_containment": {Equals: true},
				}},
				ImplausibleUses: []string{"brewery", "beer", "醸造"},
				Points:          45, Citations: []string{"AG 2B352.b"},
			},
			{
				ID: "SU-3A233", Title: "an isotope mass spectrometer (3A233)", TitleJA: "同位体分析用質量分析計（3A233）",
				Select: ProductSelector{
					Specs:    map[string]SpecCondition{"mass_range_u": {GTE: ptrF64(230)}},
					SpecsAny: map[string]SpecCondition{"ms_type": {In: []string{"thermal_ionization", "glow_discharge"}}},
				},
				ImplausibleUses: []string{"food safety", "食品"},
				Points:          45, Citations: []string{"NSG 3A233"},
			},
			{
				ID: "SU-1C010", Title: "controlled carbon fibre by the tonne (1C010)", TitleJA: "規制水準の炭素繊維（1C010）",
				Select: ProductSelector{Specs: map[string]SpecCondition{
					"specific_modulus_m": {GT: ptrF64(14.65e6)}, "specific_tensile_strength_m": {GT: ptrF64(26.82e4)},
				}},
				Quantity:        &QuantityCondition{GTE: 1000, Unit: "kg"},
				ImplausibleUses: []string{"fishing rod", "fishing rods", "釣り竿"},
				Points:          35, Citations: []string{"Wassenaar 1C010.b"},
			},
		},
		QuantityRules: []QuantityRule{
			{
				ID: "QTY-1C010", Title: "controlled carbon fibre for samples", TitleJA: "規制水準の炭素繊維（サンプル用）",
				Select:    ProductSelector{ControlEntries: []string{"1C010"}},
				SmallUses: []string{"sample", "evaluation", "サンプル", "評価"}, MaxQuantity: 50, Unit: "kg",
				Points: 25, Citations: []string{"BIS red flag 13"},
			},
			{
				ID: "QTY-SPINDLE", Title: "spare spindles", TitleJA: "予備スピンドル",
				Select:    ProductSelector{Products: []string{"SP-5X200-SPINDLE"}},
				SmallUses: []string{"spare", "予備"}, MaxQuantity: 3, Unit: "pcs",
				Points: 25, Citations: []string{"BIS red flag 13"},
			},
		},
	}
}

func testProducts() []Product {
	return []Product{
		{Code: "MC-5X200", Name: "5-axis machining centre", HSCode: "8457.10", ControlEntry: "2B001.b.2",
			Specs: map[string]any{"axes": 5, "positioning_accuracy_um": 0.8}},
		{Code: "MC-3X100", Name: "3-axis machining centre", HSCode: "8457.10", Specs: map[string]any{"axes": 3, "positioning_accuracy_um": 5}},
		{Code: "CF-T800", Name: "carbon fibre", HSCode: "6815.11", ControlEntry: "1C010.b",
			Specs: map[string]any{"specific_modulus_m": 1.66e7, "specific_tensile_strength_m": 3.31e5, "quantity_unit": "kg"}},
		{Code: "SP-5X200-SPINDLE", Name: "spare spindle", Specs: map[string]any{}},
	}
}

func specInquiry(use string, items ...Item) Inquiry {
	return Inquiry{Reference: "S-1", Customer: Party{Name: "Alpha Trading", Country: "CN"}, Items: items, EndUse: use}
}

func TestSpecUseMismatch(t *testing.T) {
	tests := []struct {
		name     string
		inq      Inquiry
		want     []string // evidence kinds of the flags, in order
		wantRule string   // rule_id of the first flag
		check    func(t *testing.T, fs []Flag)
	}{
		{
			name: "Japanese full-width inquiry, 学校教育用, catalogue product",
			inq: Inquiry{
				Customer: Party{Name: "株式会社ＡＢＣ商事", Country: "JP", Address: "東京都千代田区丸の内１－２－３"},
				Items:    []Item{{Product: "ＭＣ－５Ｘ２００", Quantity: 1}}, EndUse: "学校教育用",
			},
			want: []string{"use_mismatch"}, wantRule: "SU-2B001",
			check: func(t *testing.T, fs []Flag) {
				f := fs[0]
				if !strings.Contains(f.MessageJA, "学校教育用") || !strings.Contains(f.MessageJA, "見合いません") || !strings.Contains(f.MessageJA, "同時5軸") {
					t.Errorf("message_ja %q", f.MessageJA)
				}
				if got := f.Evidence["matched_keywords"].([]string); strings.Join(got, ",") != "学校,教育" {
					t.Errorf("matched keywords %v", got)
				}
				it := f.Evidence["items"].([]itemEvidence)[0]
				if it.SelectedBy != "control_entry" || !it.FromCatalog || it.ControlEntry != "2B001.b.2" {
					t.Errorf("item evidence %+v", it)
				}
			},
		},
		{
			name: "inline specs, full-width numbers, English use with an ending",
			inq: specInquiry("For our schools and hobbyists", Item{Description: "5-axis machining centre", Quantity: 1, HSCode: "8457.10",
				Specs: map[string]any{"axes": "５", "positioning_accuracy_um": "０．８ µm"}}),
			want: []string{"use_mismatch"}, wantRule: "SU-2B001",
			check: func(t *testing.T, fs []Flag) {
				it := fs[0].Evidence["items"].([]itemEvidence)[0]
				if it.SelectedBy != "specs" || it.Specs["axes"].Condition != ">= 5" {
					t.Errorf("item evidence %+v", it)
				}
				if got := fs[0].Evidence["matched_keywords"].([]string); strings.Join(got, ",") != "school,hobby" {
					t.Errorf("matched %v", got)
				}
			},
		},
		{
			name: "half-width katakana ﾎﾋﾞｰ",
			inq:  specInquiry("ﾎﾋﾞｰ用", checkItem("MC-5X200", 1)),
			want: []string{"use_mismatch"}, wantRule: "SU-2B001",
		},
		{
			name: "upper-case EDUCATIONAL",
			inq:  specInquiry("EDUCATIONAL PURPOSES", checkItem("MC-5X200", 1)),
			want: []string{"use_mismatch"}, wantRule: "SU-2B001",
		},
		{
			name: "keyword inside another word does not match",
			inq:  specInquiry("Preschooling robots for aerospace tooling", checkItem("MC-5X200", 1)),
		},
		{
			name: "plausible use: no flag",
			inq:  specInquiry("Machining of turbine blades for our aerospace plant", checkItem("MC-5X200", 1)),
		},
		{
			name: "3-axis machine for a school: no rule selects it",
			inq:  specInquiry("school workshop", checkItem("MC-3X100", 1)),
		},
		{
			name: "HS code outside the rule's prefixes",
			inq: specInquiry("school", Item{Description: "coordinate measuring machine", Quantity: 1, HSCode: "9031.49",
				Specs: map[string]any{"axes": 5.0, "positioning_accuracy_um": 0.5}}),
		},
		{
			name: "missing spec: the rule cannot tell",
			inq:  specInquiry("school", Item{Description: "machining centre", Quantity: 1, Specs: map[string]any{"axes": 5.0}}),
		},
		{
			name: "control entry alone selects",
			inq:  specInquiry("DIY", Item{Description: "lathe", Quantity: 1, ControlEntry: "2B201.b"}),
			want: []string{"use_mismatch"}, wantRule: "SU-2B001",
		},
		{
			name: "boolean and text spec conditions",
			inq: specInquiry("craft beer brewery", Item{Description: "fermenter", Quantity: 2,
				Specs: map[string]any{"volume_l": 50.0, "aerosol_containment": "yes"}}),
			want: []string{"use_mismatch"}, wantRule: "SU-2B352",
		},
		{
			name: "boolean false does not select",
			inq: specInquiry("craft beer brewery", Item{Description: "fermenter", Quantity: 2,
				Specs: map[string]any{"volume_l": 500.0, "aerosol_containment": false}}),
		},
		{
			name: "text in list",
			inq: specInquiry("食品の安全検査", Item{Description: "TIMS", Quantity: 1,
				Specs: map[string]any{"mass_range_u": 300.0, "ms_type": "Thermal_Ionization"}}),
			want: []string{"use_mismatch"}, wantRule: "SU-3A233",
		},
		{
			name: "text not in list",
			inq: specInquiry("food safety", Item{Description: "LC-MS", Quantity: 1,
				Specs: map[string]any{"mass_range_u": 2000.0, "ms_type": "electrospray"}}),
		},
		{
			name: "quantity condition of a use rule: 2 t of fibre for fishing rods",
			inq:  specInquiry("fishing rods", Item{Product: "CF-T800", Quantity: 2, Specs: map[string]any{"quantity_unit": "t"}}),
			want: []string{"use_mismatch"}, wantRule: "SU-1C010",
		},
		{
			name: "quantity condition not met: 20 kg for fishing rods",
			inq:  specInquiry("fishing rods", checkItem("CF-T800", 20)),
		},
		{
			name: "quantity out of scale for samples",
			inq:  specInquiry("サンプル評価用", checkItem("CF-T800", 500)),
			want: []string{"quantity_out_of_scale"}, wantRule: "QTY-1C010",
			check: func(t *testing.T, fs []Flag) {
				if !strings.Contains(fs[0].MessageJA, "500 kg") || !strings.Contains(fs[0].MessageJA, "50 kg") {
					t.Errorf("message_ja %q", fs[0].MessageJA)
				}
			},
		},
		{
			name: "quantity within scale for samples",
			inq:  specInquiry("sample evaluation", checkItem("CF-T800", 30)),
		},
		{
			name: "large quantity but no small use declared",
			inq:  specInquiry("production of pressure vessels", checkItem("CF-T800", 500)),
		},
		{
			name: "spare spindles by product code",
			inq:  specInquiry("spare parts for our machines", checkItem("SP-5X200-SPINDLE", 40)),
			want: []string{"quantity_out_of_scale"}, wantRule: "QTY-SPINDLE",
		},
		{
			name: "empty use for a selected product",
			inq:  specInquiry("", checkItem("MC-5X200", 1)),
			want: []string{"vague_use"},
			check: func(t *testing.T, fs []Flag) {
				if fs[0].Evidence["reason"] != "empty" || fs[0].Points != 15 {
					t.Errorf("evidence %v points %d", fs[0].Evidence, fs[0].Points)
				}
			},
		},
		{
			name: "vague English use",
			inq:  specInquiry("For general use.", checkItem("MC-5X200", 1)),
			want: []string{"vague_use"},
		},
		{
			name: "vague Japanese use",
			inq:  specInquiry("一般用途です", checkItem("MC-5X200", 1)),
			want: []string{"vague_use"},
		},
		{
			name: "fillers alone say nothing either",
			inq:  specInquiry("for use", checkItem("MC-5X200", 1)),
			want: []string{"vague_use"},
		},
		{
			name: "a concrete use containing a vague word is not vague",
			inq:  specInquiry("general aviation engine parts", checkItem("MC-5X200", 1)),
		},
		{
			name: "vague use for a product no rule selects",
			inq:  specInquiry("general use", checkItem("MC-3X100", 1)),
		},
		{
			name: "two rules on two items give two flags",
			inq: specInquiry("school brewery", checkItem("MC-5X200", 1), Item{Description: "fermenter", Quantity: 1,
				Specs: map[string]any{"volume_l": 30.0, "aerosol_containment": true}}),
			want: []string{"use_mismatch", "use_mismatch"}, wantRule: "SU-2B001",
		},
	}
	c := NewSpecUseCheck(testSpecUseSettings(), testProducts())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags := runCheckSteps(t, []checkStep{{tc.inq, baseTime}}, c)
			var kinds []string
			for _, f := range flags {
				kinds = append(kinds, f.Evidence["kind"].(string))
			}
			if strings.Join(kinds, ",") != strings.Join(tc.want, ",") {
				for _, f := range flags {
					t.Logf("flag: %s %v", f.Message, f.Evidence)
				}
				t.Fatalf("flag kinds %v, want %v", kinds, tc.want)
			}
			if tc.wantRule != "" && flags[0].Evidence["rule_id"] != tc.wantRule {
				t.Errorf("rule %v, want %s", flags[0].Evidence["rule_id"], tc.wantRule)
			}
			if tc.check != nil {
				tc.check(t, flags)
			}
		})
	}
}

func TestSpecUseSettingsValidate(t *testing.T) {
	if err := func() error { s := testSpecUseSettings(); return s.Validate() }(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*SpecUseSettings)
		want   string
	}{
		{"duplicate id", func(s *SpecUseSettings) { s.Rules[1].ID = s.Rules[0].ID }, "rules[1] (SU-2B001): id"},
		{"no citation", func(s *SpecUseSettings) { s.Rules[0].Citations = nil }, "citations"},
		{"no Japanese title", func(s *SpecUseSettings) { s.Rules[0].TitleJA = "" }, "title_ja"},
		{"no uses", func(s *SpecUseSettings) { s.Rules[0].ImplausibleUses = nil }, "implausible_uses"},
		{"punctuation keyword", func(s *SpecUseSettings) { s.Rules[0].ImplausibleUses = []string{"!!"} }, "implausible_uses[0]"},
		{"selector selects nothing", func(s *SpecUseSettings) { s.Rules[1].Select = ProductSelector{} }, "selects nothing"},
		{"condition with no test", func(s *SpecUseSettings) {
			s.Rules[1].Select.Specs["volume_l"] = SpecCondition{}
		}, "specs.volume_l"},
		{"gt and gte", func(s *SpecUseSettings) {
			s.Rules[1].Select.Specs["volume_l"] = SpecCondition{GT: ptrF64(1), GTE: ptrF64(2)}
		}, "not both"},
		{"bad HS prefix", func(s *SpecUseSettings) { s.Rules[0].Select.HSPrefixes = []string{"x"} }, "hs_prefixes[0]"},
		{"unknown unit", func(s *SpecUseSettings) { s.QuantityRules[0].Unit = "furlong" }, "unit"},
		{"no max quantity", func(s *SpecUseSettings) { s.QuantityRules[0].MaxQuantity = 0 }, "max_quantity"},
		{"points zero", func(s *SpecUseSettings) { s.Rules[0].Points = 0 }, "points"},
		{"vague with no phrases", func(s *SpecUseSettings) { s.VagueUse.Phrases = nil }, "vague_use.phrases"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testSpecUseSettings()
			tc.mutate(&s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestValidateProducts(t *testing.T) {
	if err := validateProducts(testProducts()); err != nil {
		t.Fatalf("good catalogue: %v", err)
	}
	tests := []struct {
		name string
		ps   []Product
		want string
	}{
		{"no code", []Product{{Name: "x"}}, "[0].code"},
		{"same code written differently", []Product{{Code: "MC-1", Name: "a"}, {Code: "mc 1", Name: "b"}}, "[1].code"},
		{"no name", []Product{{Code: "MC-1"}}, "name"},
		{"bad spec type", []Product{{Code: "MC-1", Name: "a", Specs: map[string]any{"axes": []any{1}}}}, "specs.axes"},
		{"bad unit", []Product{{Code: "MC-1", Name: "a", Specs: map[string]any{"quantity_unit": "bushel"}}}, "quantity_unit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateProducts(tc.ps)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validateProducts = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
