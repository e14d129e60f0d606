package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/memcache"
)

// site is a real Hikiai server (API and pages, embedded store, default rules
// and checks, a two-entry list) on 127.0.0.1 for the page tests.
type site struct {
	t     *testing.T
	store screening.Store
	cache *memcache.Cache
	admin *api.LocalAdmin
	http  *httptest.Server
	url   string
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t)
}

// newSiteWith is newSite with further checks after the default ones.
func newSiteWith(t *testing.T, extra ...screening.Check) *site {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	lists := &screening.Lists{}
	set, err := screening.NewListSet([]screening.ListSnapshot{testList()}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lists.Swap(set)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	checks := screening.DefaultChecks(settings, screening.CheckDeps{})
	checks = append(checks, screening.NewDeniedPartyCheck(settings.DeniedParty, lists, st))
	checks = append(checks, extra...)
	eng := &screening.Engine{Store: st, Settings: settings, Checks: checks, Lists: lists, Now: time.Now, Log: log}
	cache := memcache.New(memcache.Options{})
	srv := api.New(api.Options{Engine: eng, Store: st, Lists: lists, Cache: cache, Log: log, KeyCacheTTL: time.Millisecond})
	hs := httptest.NewServer(srv.Handler()) // listens on 127.0.0.1
	t.Cleanup(hs.Close)
	return &site{t: t, store: st, cache: cache, admin: &api.LocalAdmin{Store: st, Now: time.Now, Actor: "test"}, http: hs, url: hs.URL}
}

// testList is a small list written for these tests: one METI End User List
// entry and one US entry, with the fields the case page shows.
func testList() screening.ListSnapshot {
	return screening.ListSnapshot{Source: "meti_eul", Version: "test-1", ImportedAt: time.Now(), Count: 3, Entries: []screening.Entry{
		{Source: "meti_eul", SourceID: "501", Kind: screening.KindOrganisation, Countries: []string{"CN"},
			Names: []screening.EntryName{
				{Value: "Beihang University", Strength: screening.NamePrimary},
				{Value: "Beijing University of Aeronautics and Astronautics", Strength: screening.NameStrong},
				{Value: "北京航空航天大学", Strength: screening.NameStrong, Script: "Hani"},
			},
			Attributes: map[string]string{"懸念区分": "M"}, ListedOn: "2025-09-29"},
		{Source: "meti_eul", SourceID: "502", Kind: screening.KindOrganisation, Countries: []string{"CN"},
			Names:      []screening.EntryName{{Value: "Harbin Institute of Technology", Strength: screening.NamePrimary}},
			Attributes: map[string]string{"懸念区分": "M"}},
		// Names read out of brackets, as package sources writes them.
		{Source: "meti_eul", SourceID: "503", Kind: screening.KindPerson, Countries: []string{"RU"},
			Names: []screening.EntryName{
				{Value: "Oleh (Oleg) MORHUN", Strength: screening.NamePrimary},
				{Value: "Oleh MORHUN", Strength: screening.NameStrong, From: "Oleh (Oleg) MORHUN"},
				{Value: "Oleg MORHUN", Strength: screening.NameStrong, From: "Oleh (Oleg) MORHUN"},
			}},
	}}
}

// key makes an API key of role and returns its secret.
func (s *site) key(role string) string {
	s.t.Helper()
	secret, _, err := s.admin.CreateKey(context.Background(), role, "test "+role)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// browser is an HTTP client with a cookie jar that does not follow redirects,
// so tests see each step of Post/Redirect/Get.
type browser struct {
	t      *testing.T
	site   *site
	client *http.Client
}

func (s *site) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{t: s.t, site: s, client: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: resp.StatusCode, body: string(raw), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.site.url+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header ...string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token of the first form of a page.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	p := b.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("GET %s (%d): no csrf field in the page", path, p.status)
	}
	return m[1]
}

// signIn signs in with a key and checks where it lands.
func (b *browser) signIn(secret string) page {
	b.t.Helper()
	tok := b.csrf("/ui/signin")
	p := b.post("/ui/signin", url.Values{"csrf": {tok}, "api_key": {secret}, "next": {"/ui/"}})
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("sign in: status %d, want 303:\n%s", p.status, p.body)
	}
	return p
}

// japaneseInquiry is the form of an inquiry a Japanese sales person types: a
// 5-axis sub-micron machining centre "for a school's practical training".
func japaneseInquiry(customer string) url.Values {
	return url.Values{
		"customer.name":                          {customer},
		"customer.country":                       {"CN"},
		"customer.email":                         {"info@sz-seimitsu.example.cn"},
		"end_user.same":                          {"1"},
		"destination_country":                    {"CN"},
		"items[0].product":                       {"MC-5X200"},
		"items[0].description":                   {"5軸マシニングセンタ"},
		"items[0].quantity":                      {"１"},
		"items[0].hs_code":                       {"8457.10"},
		"items[0].specs.axes":                    {"5"},
		"items[0].specs.positioning_accuracy_um": {"0.8"},
		"end_use":                                {"学校の実習用"},
	}
}

// screenJSON sends an inquiry through the JSON API.
func (s *site) screenJSON(secret string, inq map[string]any) map[string]any {
	s.t.Helper()
	raw, err := json.Marshal(inq)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.url+"/v1/screenings", bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		s.t.Fatalf("POST /v1/screenings: %d %v", resp.StatusCode, out)
	}
	return out
}
