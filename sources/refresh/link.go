package refresh

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// FindLink returns the absolute URL of the link in page whose href matches
// link (and whose text, or its parent's, matches text when text is not nil).
// When several match, the one with the greatest first group wins, so that the
// newest of several dated files is taken; without a group, the first in the
// page. Relative links are resolved against base, and only http(s) links are
// taken.
func FindLink(page []byte, base *url.URL, link, text *regexp.Regexp) (string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return "", fmt.Errorf("read page %s: %w", base.Redacted(), err)
	}
	if b, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := base.Parse(strings.TrimSpace(b)); err == nil {
			base = u
		}
	}
	var best, bestKey string
	found := false
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		href = strings.TrimSpace(href)
		m := link.FindStringSubmatch(href)
		if m == nil {
			return
		}
		if text != nil && !text.MatchString(a.Text()) && !text.MatchString(a.Parent().Text()) {
			return
		}
		u, err := base.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		key := ""
		if len(m) > 1 {
			key = m[1]
		}
		if !found || later(key, bestKey) {
			best, bestKey, found = u.String(), key, true
		}
	})
	if !found {
		what := fmt.Sprintf("href matching %q", link)
		if text != nil {
			what += fmt.Sprintf(" with text matching %q", text)
		}
		return "", fmt.Errorf("page %s has no link with an %s (the publisher may have moved the file; see the catalogue)", base.Redacted(), what)
	}
	return best, nil
}

// later orders the first groups of two links: numbers as numbers (a date, a
// revision), anything else as text.
func later(a, b string) bool {
	if isDigits(a) && isDigits(b) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return len(a) > len(b)
		}
	}
	return a > b
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
