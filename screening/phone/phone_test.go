package phone

import "testing"

func TestE164(t *testing.T) {
	tests := []struct {
		name, raw, country string
		want               string
		ok                 bool
	}{
		{"CN national with trunk 0", "010-1234-5678", "CN", "+861012345678", true},
		{"CN international", "+86 10 1234 5678", "CN", "+861012345678", true},
		{"CN international, other region given", "+86 10 1234 5678", "JP", "+861012345678", true},
		{"CN international, no region", "+86-10-12345678", "", "+861012345678", true},
		{"CN mobile", "139 1234 5678", "CN", "+8613912345678", true},
		{"JP Tokyo national", "03-1234-5678", "JP", "+81312345678", true},
		{"JP Tokyo, lower-case region", "03-1234-5678", "jp", "+81312345678", true},
		{"JP full-width digits and hyphens", "０３－１２３４－５６７８", "JP", "+81312345678", true},
		{"JP full-width plus", "＋８１ ３ １２３４ ５６７８", "", "+81312345678", true},
		{"JP +81 (0)3", "+81 (0)3-1234-5678", "JP", "+81312345678", true},
		{"JP +81(0)3 no space", "+81(0)3 1234 5678", "", "+81312345678", true},
		{"JP parentheses area code", "(03) 1234-5678", "JP", "+81312345678", true},
		{"JP with extension", "03-1234-5678 内線 204", "JP", "+81312345678", true},
		{"US with ext.", "+1 202-555-0143 ext. 12", "US", "+12025550143", true},
		{"UK +44 (0)", "+44 (0)20 7946 0321", "", "+442079460321", true},
		{"DE dialled from CN with 00", "0049 30 12345678", "CN", "+493012345678", true},
		{"DE dialled from JP with 010", "010-49-30-12345678", "JP", "+493012345678", true},
		{"national number without region", "03-1234-5678", "", "", false},
		{"letters", "call me maybe", "JP", "", false},
		{"too short", "123", "JP", "", false},
		{"empty", "", "JP", "", false},
		{"only spaces", "   ", "JP", "", false},
		{"unknown region", "03-1234-5678", "XX", "", false},
		{"far too long", "+81 3 1234 5678 9999 9999 9999 9999 9999 9999 9999 9999 9999 9999 9999", "JP", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := E164(tc.raw, tc.country)
			if ok != tc.ok || got != tc.want {
				t.Errorf("E164(%q, %q) = %q, %v; want %q, %v", tc.raw, tc.country, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseE164(f *testing.F) {
	for _, s := range []string{"010-1234-5678", "+81 (0)3-1234-5678", "０３－１２３４－５６７８", "+1 202-555-0143 ext. 12", "(", "+"} {
		f.Add(s, "JP")
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		got, ok := E164(raw, country)
		if !ok {
			if got != "" {
				t.Fatalf("E164(%q, %q) = %q with ok false", raw, country, got)
			}
			return
		}
		if got[0] != '+' || len(got) < 8 || len(got) > 16 {
			t.Fatalf("E164(%q, %q) = %q: not E.164", raw, country, got)
		}
		// E.164 output is its own normal form.
		again, ok2 := E164(got, "")
		if !ok2 || again != got {
			t.Fatalf("E164(%q) = %q, %v; want it unchanged", got, again, ok2)
		}
	})
}
