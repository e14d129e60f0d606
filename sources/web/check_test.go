package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
	"gopkg.in/yaml.v3"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
	"github.com/hikiai/hikiai/screening/names"
)

// inCache reports whether the cache holds key.
func inCache(c screening.Cache, key string) bool {
	_, ok, err := c.Get(context.Background(), key)
	return err == nil && ok
}

// defaultRules reads the embedded no_website section and the free-mail list
// from rules/defaults, without the other sections.
func defaultRules(t testing.TB) (screening.WebsiteSettings, []string) {
	t.Helper()
	files, err := rules.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Website  screening.WebsiteSettings `yaml:"no_website"`
		FreeMail []string                  `yaml:"free_mail_domains"`
	}
	for name, b := range files {
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := cfg.Website.Validate(); err != nil {
		t.Fatalf("rules/defaults/no_website.yaml: %v", err)
	}
	if len(cfg.FreeMail) == 0 {
		cfg.FreeMail = []string{"gmail.com", "qq.com", "163.com", "yahoo.co.jp", "outlook.com"}
	}
	return cfg.Website, cfg.FreeMail
}

func TestDefaultRules(t *testing.T) {
	s, freeMail := defaultRules(t)
	if !slices.Contains(freeMail, "gmail.com") || s.FetchTimeout != 3*time.Second || s.MaxBytes != 2<<20 || s.MaxRedirects != 5 {
		t.Errorf("defaults: fetch_timeout %s, max_bytes %d, max_redirects %d, free mail %d domains", s.FetchTimeout, s.MaxBytes, s.MaxRedirects, len(freeMail))
	}
	o := OptionsFrom(s, false, nil)
	if _, err := NewFetcher(o); err != nil {
		t.Errorf("fetcher from the default rules: %v", err)
	}
	s.MaxRedirects = 0
	f, err := NewFetcher(OptionsFrom(s, false, nil))
	if err != nil || f.opt.MaxRedirects != 0 {
		t.Errorf("max_redirects 0 in the rules gave %d redirects (%v), want none", f.opt.MaxRedirects, err)
	}
}

const abcPage = `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<title>株式会社ABC商事 | 産業機械の専門商社</title><meta property="og:site_name" content="ABC商事"></head>
<body><header><img src="/logo.png" alt="ABC商事"></header><h1>ようこそ</h1><p>当社は工作機械の輸出入を行っています。</p>
<footer>Copyright © 2024 ABC Shoji Co., Ltd. All Rights Reserved.</footer></body></html>`

// checkSites serves every test site from one server, by Host.
func checkSites(t *testing.T, slow <-chan struct{}) *httptest.Server {
	toyo, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>東洋精機株式会社 - 精密測定機器</title></head><body><h1>東洋精機の製品</h1></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		switch host + r.URL.Path {
		case "abc-shoji.test/", "abc-group.test/":
			http.Redirect(w, r, "http://www.abc-shoji.test/", http.StatusMovedPermanently)
		case "www.abc-shoji.test/":
			fmt.Fprint(w, abcPage)
		case "toyo.test/":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write(toyo)
		case "chain.test/":
			http.Redirect(w, r, "/a", http.StatusMovedPermanently)
		case "chain.test/a":
			http.Redirect(w, r, "http://www.chain.test/b", http.StatusFound)
		case "www.chain.test/b":
			fmt.Fprint(w, `<html><head><meta http-equiv="refresh" content="0; url=/jp/"></head></html>`)
		case "www.chain.test/jp/":
			fmt.Fprint(w, `<title>Chain Industries Co., Ltd.</title><h1>Welcome</h1>`)
		case "other.test/":
			fmt.Fprint(w, `<title>XYZ Trading Co., Ltd. - Home</title><p>XYZ Trading exports machine tools.</p><footer>© 2023 XYZ Trading Co., Ltd.</footer>`)
		case "abc-mail.test/":
			fmt.Fprint(w, `<title>Mail hosting</title>`)
		case "parked.test/":
			fmt.Fprint(w, `<title>parked.test</title><h1>This domain is for sale!</h1><p>Make an offer today.</p>`)
		case "forsale.test/":
			http.Redirect(w, r, "http://www.sedoparking.com/forsale.test", http.StatusFound)
		case "www.sedoparking.com/forsale.test":
			fmt.Fprint(w, `<title>forsale.test</title><p>Related searches</p>`)
		case "broken.test/":
			http.Error(w, "<title>Internal Server Error</title>", http.StatusInternalServerError)
		case "slow.test/":
			select {
			case <-slow:
				fmt.Fprint(w, `<title>Slow Works Ltd.</title>`)
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
}

// checkFetcher reaches the test server for every name but nx-* (no such
// host); ports 80 and 443 go to the server.
func checkFetcher(t *testing.T, srv *httptest.Server, s screening.WebsiteSettings) *Fetcher {
	t.Helper()
	_, port := serverPort(t, srv)
	o := OptionsFrom(s, true, nil)
	o.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if strings.HasPrefix(host, "nx-") {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	f, err := NewFetcher(o)
	if err != nil {
		t.Fatal(err)
	}
	f.dialPort = func(p string) string {
		if p == "80" || p == "443" {
			return fmt.Sprint(port)
		}
		return p
	}
	t.Cleanup(f.Close)
	return f
}

func newCheck(t *testing.T, s screening.WebsiteSettings, freeMail []string, f screening.SiteProber, c screening.Cache) *screening.WebsiteCheck {
	t.Helper()
	wc, err := screening.NewWebsiteCheck(s, freeMail, f, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := wc.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return wc
}

func input(customer screening.Party, endUser *screening.Party) *screening.Input {
	inq := &screening.Inquiry{Customer: customer, EndUser: endUser, Items: []screening.Item{{Product: "MC-5X200", Quantity: 1}}}
	return &screening.Input{Inquiry: inq, CustomerKey: names.Key(customer.Name)}
}

// closedPort returns a local port nothing listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestWebsiteCheckEndToEnd runs the no_website check with the real fetcher
// against pages served on 127.0.0.1, one case per reason.
func TestWebsiteCheckEndToEnd(t *testing.T) {
	s, freeMail := defaultRules(t)
	srv := checkSites(t, nil)
	defer srv.Close()
	f := checkFetcher(t, srv, s)
	down := fmt.Sprintf("http://127.0.0.1:%d/", closedPort(t))

	type P = screening.Party
	tests := []struct {
		name     string
		customer P
		endUser  *P
		want     map[string]string // party -> reason, "" for no flag
		evidence map[string]string // customer flag evidence that must match (fmt.Sprint)
	}{
		{name: "Japanese company page with 株式会社 in the title", customer: P{Name: "ABC Shoji Co., Ltd.", Website: "http://www.abc-shoji.test/"}, want: map[string]string{"customer": ""}},
		{name: "same, name written in Japanese", customer: P{Name: "ＡＢＣ商事（株）", Website: "www.abc-shoji.test", Email: "sales@abc-shoji.test"}, want: map[string]string{"customer": ""}},
		{name: "Shift_JIS page", customer: P{Name: "株式会社東洋精機", Website: "http://toyo.test/"}, want: map[string]string{"customer": ""}},
		{name: "site from the e-mail domain, redirected", customer: P{Name: "株式会社ABC商事", Email: "info@abc-shoji.test"}, want: map[string]string{"customer": ""}},
		{name: "e-mail domain redirects to the website", customer: P{Name: "ABC商事", Website: "http://www.abc-shoji.test/", Email: "x@abc-group.test"}, want: map[string]string{"customer": ""}},
		{name: "redirect chain to the company's page", customer: P{Name: "Chain Industries Co., Ltd.", Website: "http://chain.test/"}, want: map[string]string{"customer": ""}},
		{name: "redirect chain to a page that names another company", customer: P{Name: "ABC Shoji", Website: "http://chain.test/"},
			want: map[string]string{"customer": screening.WebsiteNameNotFound},
			evidence: map[string]string{"final_url": "http://www.chain.test/jp/", "status": "200", "title": "Chain Industries Co., Ltd.",
				"redirects": "[http://chain.test/a http://www.chain.test/b http://www.chain.test/jp/]"}},
		{name: "page names another company", customer: P{Name: "ABC Shoji Co., Ltd.", Website: "http://other.test/"},
			want: map[string]string{"customer": screening.WebsiteNameNotFound}, evidence: map[string]string{"title": "XYZ Trading Co., Ltd. - Home"}},
		{name: "free mail only", customer: P{Name: "Hongda Trading", Email: "hongda@gmail.com"},
			want: map[string]string{"customer": screening.WebsiteNoneGiven}, evidence: map[string]string{"free_mail_domain": "gmail.com"}},
		{name: "no such domain", customer: P{Name: "Gone Ltd", Website: "http://nx-gone.test/"},
			want: map[string]string{"customer": screening.WebsiteUnresolvable}, evidence: map[string]string{"url": "http://nx-gone.test/"}},
		{name: "connection refused", customer: P{Name: "Down Ltd", Website: down},
			want: map[string]string{"customer": screening.WebsiteUnreachable}, evidence: map[string]string{"error": "connection refused"}},
		{name: "status 500", customer: P{Name: "Broken Ltd", Website: "http://broken.test/"},
			want: map[string]string{"customer": screening.WebsiteUnreachable}, evidence: map[string]string{"status": "500"}},
		{name: "for-sale page", customer: P{Name: "Parked Ltd", Website: "http://parked.test/"},
			want: map[string]string{"customer": screening.WebsiteParked}, evidence: map[string]string{"parked_by": `says "this domain is for sale"`}},
		{name: "redirected to a parking host", customer: P{Name: "For Sale Ltd", Website: "http://forsale.test/"},
			want: map[string]string{"customer": screening.WebsiteParked}, evidence: map[string]string{"parked_by": "served by parking host sedoparking.com"}},
		{name: "e-mail domain and website differ", customer: P{Name: "ABC商事", Website: "http://www.abc-shoji.test/", Email: "x@abc-mail.test"},
			want: map[string]string{"customer": screening.WebsiteDomainMismatch}, evidence: map[string]string{"email_domain": "abc-mail.test"}},
		{name: "end user another company with no site", customer: P{Name: "ABC Shoji", Website: "http://www.abc-shoji.test/"}, endUser: &P{Name: "Gone Ltd", Email: "a@nx-gone.test"},
			want: map[string]string{"customer": "", "end_user": screening.WebsiteUnresolvable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wc := newCheck(t, s, freeMail, f, memcache.New(memcache.Options{}))
			flags, err := wc.Run(context.Background(), input(tc.customer, tc.endUser))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for role, want := range tc.want {
				if want == "" {
					got[role] = ""
				}
			}
			for _, fl := range flags {
				got[fl.Party] = fmt.Sprint(fl.Evidence["reason"])
				if fl.Party == "customer" {
					for k, v := range tc.evidence {
						if fmt.Sprint(fl.Evidence[k]) != v {
							t.Errorf("evidence %s = %v, want %s", k, fl.Evidence[k], v)
						}
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("reasons %v, want %v; flags %+v", got, tc.want, flags)
			}
		})
	}
}

// TestWebsiteCheckTimeoutFillsCache: a slow site gives a timeout flag within the
// deadline, the fetch finishes in the background, and the next screening reads
// the answer from the cache.
func TestWebsiteCheckTimeoutFillsCache(t *testing.T) {
	s, freeMail := defaultRules(t)
	s.Deadline = 100 * time.Millisecond
	slow := make(chan struct{})
	srv := checkSites(t, slow)
	defer srv.Close()
	cache := memcache.New(memcache.Options{})
	wc := newCheck(t, s, freeMail, checkFetcher(t, srv, s), cache)
	in := input(screening.Party{Name: "Slow Works Ltd.", Website: "http://slow.test/"}, nil)

	start := time.Now()
	flags, err := wc.Run(context.Background(), in)
	if took := time.Since(start); took > s.Deadline+time.Second {
		t.Errorf("the screening waited %s with a deadline of %s", took, s.Deadline)
	}
	if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != screening.WebsiteTimeout {
		t.Fatalf("flags %+v, err %v; want a timeout flag", flags, err)
	}
	close(slow)
	deadline := time.Now().Add(5 * time.Second)
	for !inCache(cache, "website:slow.test") {
		if time.Now().After(deadline) {
			t.Fatal("the background fetch did not fill the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if flags, err := wc.Run(context.Background(), in); err != nil || len(flags) != 0 {
		t.Errorf("after the fetch: flags %+v, err %v; want none", flags, err)
	}
}

// TestWebsiteCheckRefusesInternal: with the test switch off, a website on an
// internal address is never fetched and shows as unreachable, refused.
func TestWebsiteCheckRefusesInternal(t *testing.T) {
	s, freeMail := defaultRules(t)
	var hits int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		fmt.Fprint(w, "<title>Internal Ltd</title>")
	}))
	defer srv.Close()
	_, port := serverPort(t, srv)
	s.AllowedPorts = append(s.AllowedPorts, port)
	o := OptionsFrom(s, false, nil)
	o.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
	}
	f, err := NewFetcher(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, site := range []string{srv.URL, fmt.Sprintf("http://[::1]:%d/", port), "http://metadata.test/latest/"} {
		wc := newCheck(t, s, freeMail, f, memcache.New(memcache.Options{}))
		flags, err := wc.Run(context.Background(), input(screening.Party{Name: "Internal Ltd", Website: site}, nil))
		if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != screening.WebsiteUnreachable ||
			!strings.Contains(fmt.Sprint(flags[0].Evidence["error"]), "refused") {
			t.Errorf("%s: flags %+v, err %v; want unreachable, refused", site, flags, err)
		}
	}
	if hits != 0 {
		t.Errorf("the internal server was reached %d times", hits)
	}
}

// TestWebsiteCheckOffline: on a machine without network every look-up fails at
// once; the check answers unresolvable or unreachable quickly and never hangs.
func TestWebsiteCheckOffline(t *testing.T) {
	s, freeMail := defaultRules(t)
	offline := OptionsFrom(s, false, nil)
	offline.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "dial udp 127.0.0.53:53: connect: network is unreachable", Name: host, IsTemporary: true}
	}
	fo, err := NewFetcher(offline)
	if err != nil {
		t.Fatal(err)
	}
	system, err := NewFetcher(OptionsFrom(s, false, nil)) // the real resolver; .invalid never resolves
	if err != nil {
		t.Fatal(err)
	}
	refusing := OptionsFrom(s, true, nil)
	refusing.AllowedPorts = []int{closedPort(t)}
	fr, err := NewFetcher(refusing)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		f       *Fetcher
		website string
		want    string
	}{
		{"resolver unreachable", fo, "https://www.abc-shoji.co.jp/", screening.WebsiteUnresolvable},
		{"system resolver, no such name", system, "http://hikiai-offline.invalid/", screening.WebsiteUnresolvable},
		{"address refuses", fr, fmt.Sprintf("http://127.0.0.1:%d/", refusing.AllowedPorts[0]), screening.WebsiteUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cache := memcache.New(memcache.Options{})
			wc := newCheck(t, s, freeMail, tc.f, cache)
			start := time.Now()
			flags, err := wc.Run(context.Background(), input(screening.Party{Name: "ABC Shoji", Website: tc.website}, nil))
			if took := time.Since(start); took > s.Deadline+time.Second {
				t.Errorf("took %s", took)
			}
			if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != tc.want {
				t.Errorf("flags %+v, err %v; want %s", flags, err, tc.want)
			}
		})
	}
}

// BenchmarkCachedCheck is a screening whose site the real fetcher already put
// in the in-process cache (screening/memcache): the cost every repeat inquiry
// pays. The target is under 50 µs.
func BenchmarkCachedCheck(b *testing.B) {
	s, freeMail := defaultRules(b)
	body := strings.Replace(abcPage, "<p>当社は工作機械の輸出入を行っています。</p>",
		strings.Repeat("<p>当社は工作機械・測定機器の輸出入を行っています。Quality machine tools since 1950.</p>", 150), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
	defer srv.Close()
	f, err := NewFetcher(Options{AllowPrivate: true})
	if err != nil {
		b.Fatal(err)
	}
	cache := memcache.New(memcache.Options{})
	wc, err := screening.NewWebsiteCheck(s, freeMail, f, cache, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer wc.Close()
	in := input(screening.Party{Name: "株式会社ABC商事", Website: srv.URL, Email: "sales@127.0.0.1"}, nil)
	ctx := context.Background()
	if flags, err := wc.Run(ctx, in); err != nil || len(flags) != 0 {
		b.Fatalf("warm-up: flags %+v, err %v", flags, err)
	}
	v, _, _ := cache.Get(ctx, "website:127.0.0.1")
	b.ReportAllocs()
	for b.Loop() {
		if flags, err := wc.Run(ctx, in); err != nil || len(flags) != 0 {
			b.Fatalf("flags %+v, err %v", flags, err)
		}
	}
	b.ReportMetric(float64(len(v)), "entry-bytes")
}
