package screening

import (
	"strings"
	"testing"
	"time"
)

func TestProductCodeKey(t *testing.T) {
	for _, s := range []string{"MC-5X200", "mc 5x200", "ＭＣ－５Ｘ２００", " Mc_5x.200 "} {
		if got := productCodeKey(s); got != "mc5x200" {
			t.Errorf("productCodeKey(%q) = %q", s, got)
		}
	}
	if productCodeKey("--") != "" {
		t.Error("punctuation alone is a code")
	}
}

func TestEmailKey(t *testing.T) {
	tests := []struct{ in, addr, domain string }{
		{"Sales+CN@Alpha-Trade.CN", "sales@alpha-trade.cn", "alpha-trade.cn"},
		{"ｓａｌｅｓ＠ａｌｐｈａ．ｃｎ", "sales@alpha.cn", "alpha.cn"},
		{"a@b.co.jp.", "a@b.co.jp", "b.co.jp"},
		{"not-an-address", "", ""},
		{"@alpha.cn", "", ""},
		{"x@localhost", "", ""},
	}
	for _, tc := range tests {
		a, d := emailKey(tc.in)
		if a != tc.addr || d != tc.domain {
			t.Errorf("emailKey(%q) = %q, %q; want %q, %q", tc.in, a, d, tc.addr, tc.domain)
		}
	}
}

func TestDomainIn(t *testing.T) {
	list := map[string]bool{"163.com": true, "yahoo.co.jp": true}
	for d, want := range map[string]bool{"163.com": true, "vip.163.com": true, "yahoo.co.jp": true, "co.jp": false, "a163.com": false, "alpha.cn": false} {
		if got := domainIn(d, list); got != want {
			t.Errorf("domainIn(%q) = %v", d, got)
		}
	}
}

func TestAddressKey(t *testing.T) {
	abbrev := map[string]string{"st": "street", "rd": "road", "bldg": "building"}
	same := [][]string{
		{"No. 5 Zhongguancun St., Haidian District, Beijing", "Zhongguancun Street 5, Haidian District, BEIJING", "ｎｏ．５　ｚｈｏｎｇｇｕａｎｃｕｎ　ｓｔ　ｈａｉｄｉａｎ　ｄｉｓｔｒｉｃｔ　ｂｅｉｊｉｎｇ"},
		{"東京都千代田区丸の内１丁目２番３号", "東京都千代田区丸の内1-2-3", "東京都 千代田区 丸の内 1‐2‐3"},
		{"Rm 1203, Bldg 5, 88 Nanjing Rd", "room 1203 building 5 88 nanjing road"},
	}
	for _, group := range same {
		want := addressKey(group[0], map[string]string{"st": "street", "rd": "road", "bldg": "building", "rm": "room"}, 3, true)
		if want == "" {
			t.Fatalf("addressKey(%q) is empty", group[0])
		}
		for _, s := range group[1:] {
			if got := addressKey(s, map[string]string{"st": "street", "rd": "road", "bldg": "building", "rm": "room"}, 3, true); got != want {
				t.Errorf("addressKey(%q) = %q, want %q", s, got, want)
			}
		}
	}
	if a, b := addressKey("1-2-3 Marunouchi", abbrev, 3, true), addressKey("12-3 Marunouchi", abbrev, 3, true); a == b {
		t.Errorf("1-2-3 and 12-3 fold alike: %q", a)
	}
	for _, vague := range []string{"Beijing", "Dubai, UAE", "Haidian District Beijing China"} {
		if k := addressKey(vague, abbrev, 3, true); k != "" {
			t.Errorf("vague address %q gave key %q", vague, k)
		}
	}
}

func TestDescriptionKey(t *testing.T) {
	stop := map[string]bool{"with": true, "the": true}
	a := descriptionKey("5-axis machining centre with 0.8 um accuracy", stop, 3)
	b := descriptionKey("Machining Centre (5 axis), 0.8um accuracy", stop, 3)
	if a == "" || a != b {
		t.Errorf("descriptions fold to %q and %q", a, b)
	}
	if descriptionKey("the pump", stop, 3) != "" {
		t.Error("a two-word description was keyed")
	}
}

func TestKeywordSet(t *testing.T) {
	ks := newKeywordSet([]string{"school", "education", "hobby", "DIY", "model making", "学校", "ホビー", "教育"})
	tests := []struct {
		text string
		want string
	}{
		{"for our SCHOOLS", "school"},
		{"Educational purposes", "education"},
		{"hobbyist use", "hobby"},
		{"ｄｉｙ", "DIY"},
		{"model-making club", "model making"},
		{"学校 教育用", "学校,教育"},
		{"ﾎﾋﾞｰ用", "ホビー"},
		{"preschooling", ""},
		{"reeducation camp", ""},
		{"models making", ""},
		{"aerospace parts", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(ks.find(prepareText(tc.text)), ","); got != tc.want {
			t.Errorf("find(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestSpecValues(t *testing.T) {
	nums := map[any]float64{5: 5, 0.8: 0.8, "０．８ µm": 0.8, "1.5e7": 1.5e7, " 600Hz": 600, int64(3): 3, "2 em": 2}
	for in, want := range nums {
		if got, ok := specNumber(in); !ok || got != want {
			t.Errorf("specNumber(%v) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []any{"fast", true, nil, "e5"} {
		if _, ok := specNumber(bad); ok {
			t.Errorf("specNumber(%v) ok", bad)
		}
	}
	for in, want := range map[any]bool{true: true, "YES": true, "はい": true, "no": false, false: false} {
		if got, ok := specBool(in); !ok || got != want {
			t.Errorf("specBool(%v) = %v, %v", in, got, ok)
		}
	}
	if _, ok := specBool("maybe"); ok {
		t.Error("specBool(maybe) ok")
	}
}

func TestConvertQuantity(t *testing.T) {
	if q, ok := convertQuantity(2, "t", "kg"); !ok || q != 2000 {
		t.Errorf("2 t = %v kg, %v", q, ok)
	}
	if q, ok := convertQuantity(3, "", "pcs"); !ok || q != 3 {
		t.Errorf("3 = %v pcs, %v", q, ok)
	}
	if _, ok := convertQuantity(3, "kg", "pcs"); ok {
		t.Error("kg converted to pieces")
	}
}

func TestHumanWindow(t *testing.T) {
	for d, want := range map[time.Duration]string{14 * 24 * time.Hour: "14 days/14日", 24 * time.Hour: "1 day/1日", 36 * time.Hour: "36 hours/36時間", 0: "any time/期間を問わず"} {
		en, ja := humanWindow(d)
		if en+"/"+ja != want {
			t.Errorf("humanWindow(%v) = %s/%s", d, en, ja)
		}
	}
}
