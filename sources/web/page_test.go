package web

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func encode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode fixture: %v", err)
	}
	return b
}

const companyPage = `<!DOCTYPE html>
<html lang="ja"><head>
<meta charset="utf-8">
<title>株式会社ABC商事 | 産業機械の専門商社</title>
<meta property="og:site_name" content="ABC Shoji">
<meta name="description" content="ABC商事は工作機械の輸出入を行っています。">
<style>.x{color:red}</style>
<script>var company = "Hidden Script Corp";</script>
</head>
<body>
<header><a href="/"><img src="/logo.png" alt="ABC商事ロゴ"></a>
<nav><ul><li><a href="https://www.abc-shoji.co.jp/en/">English</a></li><li><a href="mailto:info@abc.test">Mail</a></li></ul></nav></header>
<main>
<h1>ようこそ</h1>
<h2>  事業内容 </h2>
<p>当社は　産業機械を
   扱っています。</p>
<div style="display: none">Invisible Corp</div>
<div hidden>Hidden Attribute Corp</div>
<noscript>Enable JavaScript</noscript>
<svg><title>Icon title</title><text>svg text</text></svg>
<iframe src="https://maps.example.net/embed"></iframe>
<script src="https://cdn.example.org/app.js"></script>
</main>
<footer><p>〒100-0001 東京都千代田区</p><p>Copyright © 2024 ABC Shoji Co., Ltd. All Rights Reserved.</p></footer>
</body></html>`

func TestParsePageParts(t *testing.T) {
	base, _ := url.Parse("https://abc.test/index.html")
	p := ParsePage([]byte(companyPage), "text/html; charset=utf-8", base)
	for _, c := range []struct{ field, got, want string }{
		{"title", p.Title, "株式会社ABC商事 | 産業機械の専門商社"},
		{"site name", p.SiteName, "ABC Shoji"},
		{"description", p.Description, "ABC商事は工作機械の輸出入を行っています。"},
		{"copyright", p.Copyright, "Copyright © 2024 ABC Shoji Co., Ltd. All Rights Reserved."},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if want := []string{"ようこそ", "事業内容"}; !slices.Equal(p.Headings, want) {
		t.Errorf("headings = %q, want %q", p.Headings, want)
	}
	for _, in := range []string{"ABC商事ロゴ", "当社は 産業機械を 扱っています。", "東京都千代田区", "ようこそ"} {
		if !strings.Contains(p.Text, in) {
			t.Errorf("visible text lacks %q:\n%s", in, p.Text)
		}
	}
	for _, out := range []string{"Hidden Script Corp", "Invisible Corp", "Hidden Attribute Corp", "Enable JavaScript", "Icon title", "svg text", "color:red", "株式会社ABC商事 |"} {
		if strings.Contains(p.Text, out) {
			t.Errorf("visible text has %q, which is not visible:\n%s", out, p.Text)
		}
	}
	for _, h := range []string{"abc.test", "www.abc-shoji.co.jp", "maps.example.net", "cdn.example.org"} {
		if !slices.Contains(p.LinkedHosts, h) {
			t.Errorf("linked hosts %q lack %s", p.LinkedHosts, h)
		}
	}
	if slices.Contains(p.LinkedHosts, "") {
		t.Errorf("linked hosts hold an empty host (mailto:): %q", p.LinkedHosts)
	}
	if p.Refresh != "" {
		t.Errorf("refresh = %q, want none", p.Refresh)
	}
}

func TestParsePageCharsets(t *testing.T) {
	const title = "東洋精機株式会社 - 精密測定機器"
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>" + title + "</title></head><body><p>ｶﾌﾞｼｷｶﾞｲｼｬ 東洋精機</p></body></html>"
	}
	// A Japanese page that declares its charset only after a long head: the
	// charset package's own prescan reads just the first 1 KiB.
	longHead := "<!-- " + strings.Repeat("x", 3000) + " -->"
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"utf-8 undeclared", []byte(page("")), "text/html"},
		{"shift_jis in header", encode(t, japanese.ShiftJIS, page("")), "text/html; charset=Shift_JIS"},
		{"shift_jis in meta", encode(t, japanese.ShiftJIS, page(`<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">`)), "text/html"},
		{"shift_jis in meta after 3 KiB", encode(t, japanese.ShiftJIS, longHead+page(`<meta charset="shift_jis">`)), "text/html"},
		{"shift_jis undeclared", encode(t, japanese.ShiftJIS, page("")), "text/html"},
		{"euc-jp in header", encode(t, japanese.EUCJP, page("")), "text/html; charset=EUC-JP"},
		{"euc-jp in meta", encode(t, japanese.EUCJP, page(`<meta charset="euc-jp">`)), ""},
		{"gbk in meta", encode(t, simplifiedchinese.GBK, "<html><head><meta charset=gbk><title>东洋精机株式会社 - 精密测定机器</title></head></html>"), "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParsePage(tc.body, tc.contentType, nil)
			want := title
			if strings.HasPrefix(tc.name, "gbk") {
				want = "东洋精机株式会社 - 精密测定机器"
			}
			if p.Title != want {
				t.Errorf("title = %q, want %q", p.Title, want)
			}
			if !strings.HasPrefix(tc.name, "gbk") && !strings.Contains(p.Text, "東洋精機") {
				t.Errorf("text = %q, want it to hold 東洋精機", p.Text)
			}
		})
	}
}

func TestParsePageRefresh(t *testing.T) {
	base, _ := url.Parse("http://abc.test/old/index.html")
	tests := []struct{ content, want string }{
		{`0; url=/jp/`, "http://abc.test/jp/"},
		{`0;URL='https://www.abc.test/top.html'`, "https://www.abc.test/top.html"},
		{`5, url = next.html`, "http://abc.test/old/next.html"},
		{`30`, ""},
		{`0; url=`, ""},
	}
	for _, tc := range tests {
		html := `<html><head><meta http-equiv="Refresh" content="` + tc.content + `"></head><body></body></html>`
		if got := ParsePage([]byte(html), "text/html", base).Refresh; got != tc.want {
			t.Errorf("refresh %q = %q, want %q", tc.content, got, tc.want)
		}
	}
}

func TestParsePageNotHTML(t *testing.T) {
	pdf := []byte("%PDF-1.4\n1 0 obj << /Title (ABC Shoji) >> endobj")
	if p := ParsePage(pdf, "application/pdf", nil); p.Title != "" || p.Text != "" {
		t.Errorf("a PDF gave a page: %+v", p)
	}
	plain := ParsePage([]byte("ABC Shoji Co., Ltd.\n\n  Tokyo  "), "text/plain; charset=utf-8", nil)
	if plain.Text != "ABC Shoji Co., Ltd.\nTokyo" {
		t.Errorf("plain text = %q", plain.Text)
	}
	// No Content-Type: sniffed.
	if p := ParsePage([]byte("<!DOCTYPE html><title>Sniffed</title>"), "", nil); p.Title != "Sniffed" {
		t.Errorf("sniffed title = %q", p.Title)
	}
}

func TestParsePageBounds(t *testing.T) {
	// Deeper than html.Parse accepts: read token by token.
	deep := strings.Repeat("<div>", 200000) + "<h1>Deep</h1><script>no</script>" + strings.Repeat("</div>", 10)
	p := ParsePage([]byte("<title>Deep page</title>"+deep), "text/html", nil)
	if p.Title != "Deep page" || p.Text != "Deep" {
		t.Errorf("deep page: title %q, text %q; want Deep page, Deep", p.Title, p.Text)
	}
	// Long text: clipped to maxTextBytes on a rune boundary.
	long := "<title>" + strings.Repeat("長", 1000) + "</title><p>" + strings.Repeat("文字 ", 100000) + "</p>" +
		strings.Repeat("<h2>h</h2>", 100) + strings.Repeat(`<a href="http://h`+"x"+`.test/">`, 3)
	p = ParsePage([]byte(long), "text/html", nil)
	if len(p.Text) > maxTextBytes || !utf8.ValidString(p.Text) {
		t.Errorf("text is %d bytes (valid UTF-8: %v), want at most %d", len(p.Text), utf8.ValidString(p.Text), maxTextBytes)
	}
	if utf8.RuneCountInString(p.Title) != maxShortRunes {
		t.Errorf("title has %d runes, want %d", utf8.RuneCountInString(p.Title), maxShortRunes)
	}
	if len(p.Headings) != maxHeadings {
		t.Errorf("%d headings, want %d", len(p.Headings), maxHeadings)
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add([]byte(companyPage), "text/html; charset=utf-8")
	f.Add(encode(f, japanese.ShiftJIS, "<meta charset=shift_jis><title>東洋精機</title>"), "text/html")
	f.Add([]byte(`<meta http-equiv=refresh content="0;url=//x/"><a href="http://[::1]/">x</a>`), "")
	f.Add([]byte("<table><tr><td>a<td>b</table><img alt=©2024>"), "application/xhtml+xml")
	f.Add([]byte("\xff\xfe<\x00t\x00"), "text/html")
	base, _ := url.Parse("https://abc.test/")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p := ParsePage(body, contentType, base)
		if len(p.Text) > maxTextBytes {
			t.Fatalf("text of %d bytes", len(p.Text))
		}
		if len(p.Headings) > maxHeadings || len(p.LinkedHosts) > maxLinkedHosts {
			t.Fatalf("%d headings, %d linked hosts", len(p.Headings), len(p.LinkedHosts))
		}
		for _, s := range append([]string{p.Title, p.SiteName, p.Description, p.Copyright, p.Text}, p.Headings...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
		for _, s := range append([]string{p.Title, p.SiteName, p.Description, p.Copyright}, p.Headings...) {
			if utf8.RuneCountInString(s) > maxShortRunes {
				t.Fatalf("%q is longer than %d runes", s, maxShortRunes)
			}
		}
		if p.Refresh != "" {
			if u, err := url.Parse(p.Refresh); err != nil || !u.IsAbs() {
				t.Fatalf("refresh %q is not an absolute URL", p.Refresh)
			}
		}
	})
}
