package web

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// Bounds on what a page yields, so that a hostile page costs little to keep.
const (
	maxTextBytes   = 64 << 10 // visible text
	maxHeadings    = 20
	maxShortRunes  = 300 // title, site name, description, one heading, the copyright line
	maxLinkedHosts = 100
)

// Page is what the reader takes from one HTML page.
type Page struct {
	Title       string
	SiteName    string // og:site_name
	Description string // meta description
	Headings    []string
	Copyright   string // the last line with ©, (c), "copyright" or "all rights reserved"
	Text        string // visible text, image alt texts included, one line per block
	LinkedHosts []string
	// Refresh is the absolute URL a <meta http-equiv="refresh"> sends to ("" when none).
	Refresh string
}

// ParsePage reads an HTML page: body is the raw response (at most the bytes the
// fetcher read), contentType the Content-Type header, base the page's URL for
// resolving links (nil: links stay relative and give no host). It never fails:
// what cannot be read is left empty.
func ParsePage(body []byte, contentType string, base *url.URL) Page {
	var p Page
	if !isHTML(body, contentType) {
		if isPlainText(body, contentType) {
			p.Text = clip(collapseLines(decode(body, contentType)), maxTextBytes)
		}
		return p
	}
	text := decode(body, contentType)
	// html.Parse refuses pages nested deeper than 512 elements (which also keeps
	// goquery's recursive selectors shallow); such a page is still read, token
	// by token, for its title and text.
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return tokenPage(text)
	}
	doc := goquery.NewDocumentFromNode(root)

	if t := doc.Find("title"); t.Length() > 0 {
		p.Title = short(nodeText(t.Get(0)))
	}
	p.SiteName = short(metaContent(doc, "property", "og:site_name"))
	p.Description = short(metaContent(doc, "name", "description"))
	doc.Find("h1, h2, h3").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if h := short(nodeText(s.Get(0))); h != "" {
			p.Headings = append(p.Headings, h)
		}
		return len(p.Headings) < maxHeadings
	})
	p.Refresh = refreshTarget(doc, base)

	seen := map[string]bool{}
	doc.Find("script[src], iframe[src], frame[src], a[href], link[href], form[action]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		for _, attr := range []string{"src", "href", "action"} {
			v, ok := s.Attr(attr)
			if !ok || len(p.LinkedHosts) >= maxLinkedHosts {
				continue
			}
			if h := linkHost(base, v); h != "" && !seen[h] {
				seen[h] = true
				p.LinkedHosts = append(p.LinkedHosts, h)
			}
		}
		return len(p.LinkedHosts) < maxLinkedHosts
	})

	lines := visibleLines(root)
	p.Text = clip(strings.Join(lines, "\n"), maxTextBytes)
	for i := len(lines) - 1; i >= 0; i-- {
		if copyrightLine.MatchString(lines[i]) {
			p.Copyright = short(lines[i])
			break
		}
	}
	return p
}

var copyrightLine = regexp.MustCompile(`(?i)©|\(c\)|copyright|all rights reserved|著作権`)

func isHTML(body []byte, contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(body))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func isPlainText(body []byte, contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "text/plain"
}

// decode turns the body into UTF-8: a byte-order mark or the Content-Type
// charset first, then valid UTF-8, then a <meta> charset anywhere in the first
// 16 KiB (charset's own prescan reads only 1 KiB, and Japanese pages often
// declare Shift_JIS after a long head), then Shift_JIS or EUC-JP if either
// decodes cleanly, else windows-1252 as browsers do.
func decode(body []byte, contentType string) string {
	if e, _, certain := charset.DetermineEncoding(body, contentType); certain {
		return decodeWith(e, body)
	}
	if utf8.Valid(body) {
		return string(body)
	}
	head := body[:min(len(body), 16<<10)]
	if m := metaCharset.FindSubmatch(head); m != nil {
		if e, _ := charset.Lookup(string(m[1])); e != nil {
			return decodeWith(e, body)
		}
	}
	for _, e := range []encoding.Encoding{japanese.ShiftJIS, japanese.EUCJP} {
		if s := decodeWith(e, body); !strings.ContainsRune(s, utf8.RuneError) {
			return s
		}
	}
	e, _, _ := charset.DetermineEncoding(body, contentType)
	return decodeWith(e, body)
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})`)

func decodeWith(e encoding.Encoding, body []byte) string {
	if e == encoding.Nop {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	return string(out)
}

// skipped elements hold no visible text.
var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true, atom.Canvas: true,
	atom.Select: true, atom.Datalist: true,
}

// blocks start a new line of text.
var blocks = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Br: true,
	atom.Dd: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Figcaption: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true, atom.Td: true, atom.Th: true,
	atom.Tr: true, atom.Ul: true, atom.Caption: true, atom.Center: true,
}

// visibleLines walks the body without recursion and returns its visible text,
// one line per block element, with image alt texts where the images are.
func visibleLines(root *html.Node) []string {
	var (
		lines []string
		cur   strings.Builder
		size  int
	)
	flush := func() {
		if l := collapseSpace(cur.String()); l != "" && size < maxTextBytes {
			lines = append(lines, l)
			size += len(l) + 1
		}
		cur.Reset()
	}
	type item struct {
		n    *html.Node
		exit bool // leaving n: close its block
	}
	stack := []item{{n: root}}
	for len(stack) > 0 && size < maxTextBytes {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if it.exit {
			flush()
			continue
		}
		switch n.Type {
		case html.TextNode:
			if room := maxTextBytes - cur.Len(); room > 0 {
				cur.WriteString(clip(n.Data, room))
				cur.WriteByte(' ')
			}
			continue
		case html.ElementNode:
			if n.Namespace != "" || skipped[n.DataAtom] || hidden(n) {
				continue
			}
			if n.DataAtom == atom.Img || (n.DataAtom == atom.Input && strings.EqualFold(attr(n, "type"), "image")) {
				if alt := attr(n, "alt"); alt != "" {
					cur.WriteString(alt)
					cur.WriteByte(' ')
				}
				continue
			}
			if blocks[n.DataAtom] {
				flush()
				stack = append(stack, item{n: n, exit: true})
			}
		case html.DocumentNode:
		default:
			continue
		}
		// Push children in reverse so they pop in document order.
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, item{n: c})
		}
	}
	flush()
	return lines
}

// nodeText is the text under n, without script or style, cut after a few
// times maxShortRunes: a heading may wrap the whole page, and Selection.Text
// would copy all of it for each of them.
func nodeText(n *html.Node) string {
	if n == nil {
		return ""
	}
	const limit = 8 * maxShortRunes
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 && b.Len() < limit {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch n.Type {
		case html.TextNode:
			b.WriteString(clip(n.Data, limit-b.Len()))
			b.WriteByte(' ')
			continue
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				continue
			}
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return b.String()
}

func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			s := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// tokenPage reads the title and visible text of a page the parser refused,
// without building a tree.
func tokenPage(s string) Page {
	var (
		p       Page
		lines   []string
		cur     strings.Builder
		size    int
		skip    int // depth inside skipped elements
		inTitle bool
	)
	flush := func() {
		if l := collapseSpace(cur.String()); l != "" && size < maxTextBytes {
			lines = append(lines, l)
			size += len(l) + 1
		}
		cur.Reset()
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for size < maxTextBytes {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		a := atom.Lookup([]byte(tok.Data))
		switch tt {
		case html.StartTagToken:
			switch {
			case a == atom.Title:
				inTitle = true
			case skipped[a] && a != atom.Head:
				skip++
			case blocks[a]:
				flush()
			}
		case html.EndTagToken:
			switch {
			case a == atom.Title:
				inTitle = false
			case skipped[a] && a != atom.Head && skip > 0:
				skip--
			case blocks[a]:
				flush()
			}
		case html.TextToken:
			switch {
			case inTitle && p.Title == "":
				p.Title = short(tok.Data)
			case skip == 0 && !inTitle:
				if room := maxTextBytes - cur.Len(); room > 0 {
					cur.WriteString(clip(tok.Data, room))
					cur.WriteByte(' ')
				}
			}
		}
	}
	flush()
	p.Text = clip(strings.Join(lines, "\n"), maxTextBytes)
	return p
}

// metaContent returns the content of the first <meta key="value">.
func metaContent(doc *goquery.Document, key, value string) string {
	var out string
	doc.Find("meta[" + key + "]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if v, _ := s.Attr(key); strings.EqualFold(strings.TrimSpace(v), value) {
			out, _ = s.Attr("content")
			return false
		}
		return true
	})
	return out
}

// refreshTarget reads <meta http-equiv="refresh" content="0; url=/jp/">.
func refreshTarget(doc *goquery.Document, base *url.URL) string {
	raw := metaContent(doc, "http-equiv", "refresh")
	if raw == "" {
		return ""
	}
	_, rest, ok := strings.Cut(raw, ";")
	if !ok {
		_, rest, ok = strings.Cut(raw, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimLeft(strings.TrimSpace(rest[3:]), "= ")
	}
	rest = strings.Trim(rest, `"' `)
	if rest == "" {
		return ""
	}
	u, err := url.Parse(rest)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

func linkHost(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// short collapses white space and cuts s to maxShortRunes runes.
func short(s string) string {
	s = collapseSpace(s)
	if utf8.RuneCountInString(s) <= maxShortRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxShortRunes])
}

func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func collapseLines(s string) string {
	var out []string
	for l := range strings.Lines(s) {
		if l = collapseSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return string(bytes.TrimRight([]byte(s[:i]), " "))
}
