package screening

import (
	"strings"
	"testing"
)

func TestPayerMismatch(t *testing.T) {
	customer := Party{Name: "Alpha Trading Co., Ltd.", Country: "CN"}
	tests := []struct {
		name       string
		payer      *Party
		affiliates []string
		wantPoints int // 0: no flag
		wantCross  bool
	}{
		{"no payer", nil, nil, 0, false},
		{"payer is the customer written differently", &Party{Name: "ALPHA TRADING CO LTD", Country: "CN"}, nil, 0, false},
		{"payer is the customer in full-width", &Party{Name: "ＡＬＰＨＡ　ＴＲＡＤＩＮＧ", Country: "CN"}, nil, 0, false},
		{"payer is a declared affiliate", &Party{Name: "Alpha Holdings (HK) Limited", Country: "HK"}, []string{"Alpha Holdings (HK) Ltd"}, 0, false},
		{"third party in the same country", &Party{Name: "Orient Finance Co.", Country: "CN"}, nil, 20, false},
		{"third party, country unknown", &Party{Name: "Orient Finance Co."}, nil, 20, false},
		{"third party abroad", &Party{Name: "Gulf Star General Trading LLC", Country: "AE"}, []string{"Alpha Holdings"}, 35, true},
	}
	c := NewPayerCheck(PayerSettings{Points: 20, ForeignPoints: 35})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inq := Inquiry{Customer: customer, Payer: tc.payer, Affiliates: tc.affiliates, Items: []Item{checkItem("MC-5X200", 1)}}
			flags := runCheckSteps(t, []checkStep{{inq, baseTime}}, c)
			if tc.wantPoints == 0 {
				if len(flags) > 0 {
					t.Fatalf("unexpected flag: %s", flags[0].Message)
				}
				return
			}
			if len(flags) != 1 {
				t.Fatalf("%d flags, want 1", len(flags))
			}
			f := flags[0]
			if f.Points != tc.wantPoints || f.Evidence["cross_border"] != tc.wantCross || f.Party != RolePayer {
				t.Errorf("points %d, evidence %v", f.Points, f.Evidence)
			}
			if f.Evidence["payer"] != tc.payer.Name || f.Evidence["customer"] != customer.Name {
				t.Errorf("evidence %v", f.Evidence)
			}
			if !strings.Contains(f.MessageJA, "支払者") || !strings.Contains(f.Message, tc.payer.Name) {
				t.Errorf("messages %q / %q", f.Message, f.MessageJA)
			}
			if tc.wantCross && !strings.Contains(f.MessageJA, "別の国") {
				t.Errorf("message_ja does not say another country: %q", f.MessageJA)
			}
		})
	}
}

func TestPayerSettingsValidate(t *testing.T) {
	if err := (&PayerSettings{Points: 20, ForeignPoints: 135}).Validate(); err == nil || !strings.Contains(err.Error(), "foreign_points") {
		t.Errorf("Validate = %v", err)
	}
}
