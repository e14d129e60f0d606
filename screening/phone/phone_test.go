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

func TestCacheAnswersAsE164(t *testing.T) {
	c := NewCache(3)
	inputs := []struct{ raw, country string }{
		{"03-1234-5678", "JP"}, {"03-1234-5678", ""}, {"+86 10 1234 5678", "CN"}, {"call me", "JP"},
		{"010-1234-5678", "CN"}, {"03-1234-5678", "JP"}, {"０３－１２３４－５６７８", "JP"}, {"03-1234-5678", ""},
	}
	// Twice over, so that answers come from both generations and after evictions.
	for round := range 3 {
		for _, in := range inputs {
			want, wantOK := E164(in.raw, in.country)
			got, ok := c.E164(in.raw, in.country)
			if got != want || ok != wantOK {
				t.Errorf("round %d: cached E164(%q, %q) = %q, %v; uncached %q, %v", round, in.raw, in.country, got, ok, want, wantOK)
			}
		}
	}
	if n := len(c.cur) + len(c.prev); n > 6 {
		t.Errorf("cache of size 3 holds %d entries, want at most 6", n)
	}
}

func BenchmarkE164(b *testing.B) {
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			E164("+81 (0)3-1234-5678", "JP")
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := NewCache(1024)
		for b.Loop() {
			c.E164("+81 (0)3-1234-5678", "JP")
		}
	})
}
