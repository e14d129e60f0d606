package refresh

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestFindLink(t *testing.T) {
	base, _ := url.Parse("https://www.example.go.jp/policy/anpo/law00.html")
	dated := regexp.MustCompile(`(\d{8})_\d+\.xlsx$`)
	tests := []struct {
		name, page string
		link, text *regexp.Regexp
		want       string // "" means an error
	}{
		{"relative link, newest date wins", `<ul>
			<li><a href="2024/20240131_1.xlsx">old</a></li>
			<li><a href="./20250929_4.xlsx">new</a></li>
			<li><a href="/policy/anpo/20250601_2.xlsx">mid</a></li></ul>`,
			dated, nil, "https://www.example.go.jp/policy/anpo/20250929_4.xlsx"},
		{"absolute link on another host", `<a href="https://files.example.org/x/20250929_4.xlsx">x</a>`,
			dated, nil, "https://files.example.org/x/20250929_4.xlsx"},
		{"base element", `<head><base href="https://cdn.example.jp/lists/"></head><a href="20250929_4.xlsx">x</a>`,
			dated, nil, "https://cdn.example.jp/lists/20250929_4.xlsx"},
		{"numbers compare as numbers", `<a href="r9.csv">a</a><a href="r10.csv">b</a><a href="r010.csv">c</a>`,
			regexp.MustCompile(`r(\d+)\.csv$`), nil, "https://www.example.go.jp/policy/anpo/r10.csv"},
		{"without a group the first in the page", `<a href="a.xml">a</a><a href="b.xml">b</a>`,
			regexp.MustCompile(`\.xml$`), nil, "https://www.example.go.jp/policy/anpo/a.xml"},
		{"text of the link or its parent must match", `
			<p>該非判定パラメータ <a href="20251001_1.xlsx">Excel</a></p>
			<p>外国ユーザーリスト <a href="20250929_4.xlsx">Excel</a></p>`,
			dated, regexp.MustCompile(`ユーザーリスト`), "https://www.example.go.jp/policy/anpo/20250929_4.xlsx"},
		{"white space around the href", `<a href="  20250929_4.xlsx
			">x</a>`, dated, nil, "https://www.example.go.jp/policy/anpo/20250929_4.xlsx"},
		{"only http and https", `<a href="javascript:20250929_4.xlsx">x</a><a href="ftp://h/20250929_4.xlsx">y</a>`,
			dated, nil, ""},
		{"no matching link", `<a href="list.pdf">PDF</a>`, dated, nil, ""},
		{"text does not match", `<p><a href="20250929_4.xlsx">Excel</a></p>`, dated, regexp.MustCompile(`ユーザー`), ""},
		{"not html at all", "\x00\x01PK\x03\x04", dated, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindLink([]byte(tt.page), base, tt.link, tt.text)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("FindLink = %q, want an error", got)
				}
				if !strings.Contains(err.Error(), base.String()) {
					t.Errorf("error %q does not name the page", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FindLink = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func FuzzFindLink(f *testing.F) {
	f.Add([]byte(`<a href="./20250929_4.xlsx">x</a><a href="20240101_1.xlsx">y</a>`))
	f.Add([]byte(`<base href="//evil"><a href="http://[::1]:99/20250929_4.xlsx">`))
	f.Add([]byte(`<a href="%zz20250929_4.xlsx">`))
	base, _ := url.Parse("https://www.example.go.jp/a/b.html")
	link := regexp.MustCompile(`(\d{8})_\d+\.xlsx$`)
	f.Fuzz(func(t *testing.T, page []byte) {
		got, err := FindLink(page, base, link, nil)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("FindLink gave %q, not an absolute http(s) URL", got)
		}
	})
}
