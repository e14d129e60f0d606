package screening

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// testCache is a map Cache that records the TTLs it was given.
type testCache struct {
	mu    sync.Mutex
	vals  map[string][]byte
	ttls  map[string]time.Duration
	locks map[string]bool
}

func newTestCache() *testCache {
	return &testCache{vals: map[string][]byte{}, ttls: map[string]time.Duration{}, locks: map[string]bool{}}
}

func (c *testCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.vals[key]
	return v, ok, nil
}

func (c *testCache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vals[key], c.ttls[key] = slices.Clone(value), ttl
	return nil
}

func (c *testCache) Lock(_ context.Context, key string, _ time.Duration) (func(), bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.locks[key] {
		return nil, false, nil
	}
	c.locks[key] = true
	return func() { c.mu.Lock(); delete(c.locks, key); c.mu.Unlock() }, true, nil
}

func (c *testCache) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

func (c *testCache) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.vals[key]
	return ok
}

// fakeProber answers from a table of reports by probe string; hold, when set,
// makes every probe wait for it to close (or for its context).
type fakeProber struct {
	mu      sync.Mutex
	reports map[string]SiteReport
	calls   map[string]int
	hold    chan struct{}
	aborted atomic.Int32
}

func (p *fakeProber) Probe(ctx context.Context, raw string) (SiteReport, error) {
	p.mu.Lock()
	if p.calls == nil {
		p.calls = map[string]int{}
	}
	p.calls[raw]++
	rep, ok := p.reports[raw]
	hold := p.hold
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			p.aborted.Add(1)
			return SiteReport{URL: raw, Failure: SiteUnreachable, Error: "timed out", Transient: true}, nil
		}
	}
	if !ok {
		return SiteReport{}, fmt.Errorf("fake prober: no report for %q", raw)
	}
	rep.URL = raw
	return rep, nil
}

func (p *fakeProber) callCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		n += c
	}
	return n
}

func testWebsiteSettings() WebsiteSettings {
	return WebsiteSettings{
		Reasons: map[string]WebsiteReason{
			WebsiteNoneGiven: {15, SeverityLow}, WebsiteUnresolvable: {25, SeverityMedium}, WebsiteUnreachable: {15, SeverityLow},
			WebsiteParked: {25, SeverityMedium}, WebsiteNameNotFound: {20, SeverityMedium}, WebsiteDomainMismatch: {10, SeverityLow},
			WebsiteTimeout: {2, SeverityInfo},
		},
		Deadline: time.Second, FetchTimeout: 2 * time.Second,
		PositiveTTL: 168 * time.Hour, NegativeTTL: 24 * time.Hour, TransientTTL: 10 * time.Minute,
		MaxFetches: 8, UserAgent: "HikiaiTest/1", AllowedPorts: []int{80, 443}, MaxRedirects: 5, MaxBytes: 2 << 20,
		ParkingHosts:   []string{"sedoparking.com", "dan.com"},
		ParkingPhrases: []string{"this domain is for sale", "このドメインは販売中です"},
	}
}

var testFreeMail = []string{"gmail.com", "qq.com", "163.com", "yahoo.co.jp", "outlook.com"}

func newTestWebsiteCheck(t testing.TB, s WebsiteSettings, p SiteProber, c Cache) *WebsiteCheck {
	t.Helper()
	wc, err := NewWebsiteCheck(s, testFreeMail, p, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wc.Close() })
	return wc
}

func websiteInput(customer Party, endUser *Party) *Input {
	inq := &Inquiry{Customer: customer, EndUser: endUser, Items: []Item{{Product: "MC-1", Quantity: 1}}}
	return &Input{Inquiry: inq, CustomerKey: names.Key(customer.Name)}
}

func page(title, text string) SiteReport {
	return SiteReport{FinalURL: "", Status: 200, Title: title, Text: text, FetchedAt: time.Now()}
}

func TestWebsiteSettingsValidate(t *testing.T) {
	good := testWebsiteSettings()
	if err := good.Validate(); err != nil {
		t.Fatalf("test settings: %v", err)
	}
	tests := []struct {
		field  string
		change func(s *WebsiteSettings)
	}{
		{"reasons.parked: missing", func(s *WebsiteSettings) { delete(s.Reasons, WebsiteParked) }},
		{"reasons.parked.points", func(s *WebsiteSettings) { s.Reasons[WebsiteParked] = WebsiteReason{101, SeverityLow} }},
		{"reasons.timeout.severity", func(s *WebsiteSettings) { s.Reasons[WebsiteTimeout] = WebsiteReason{1, "urgent"} }},
		{"reasons.gone: unknown reason", func(s *WebsiteSettings) { s.Reasons["gone"] = WebsiteReason{1, SeverityLow} }},
		{"deadline", func(s *WebsiteSettings) { s.Deadline = 0 }},
		{"fetch_timeout", func(s *WebsiteSettings) { s.FetchTimeout = time.Hour }},
		{"positive_ttl", func(s *WebsiteSettings) { s.PositiveTTL = time.Second }},
		{"negative_ttl", func(s *WebsiteSettings) { s.NegativeTTL = -time.Hour }},
		{"transient_ttl", func(s *WebsiteSettings) { s.TransientTTL = 0 }},
		{"max_fetches", func(s *WebsiteSettings) { s.MaxFetches = 0 }},
		{"user_agent", func(s *WebsiteSettings) { s.UserAgent = "bad\nagent" }},
		{"allowed_ports", func(s *WebsiteSettings) { s.AllowedPorts = nil }},
		{"allowed_ports[1]", func(s *WebsiteSettings) { s.AllowedPorts = []int{80, 70000} }},
		{"max_redirects", func(s *WebsiteSettings) { s.MaxRedirects = 21 }},
		{"max_bytes", func(s *WebsiteSettings) { s.MaxBytes = 10 }},
		{"parking_hosts[0]", func(s *WebsiteSettings) { s.ParkingHosts = []string{"Sedo.com"} }},
		{"parking_phrases[1]", func(s *WebsiteSettings) { s.ParkingPhrases = []string{"for sale", "!!"} }},
	}
	for _, tc := range tests {
		s := testWebsiteSettings()
		s.Reasons = maps.Clone(s.Reasons)
		tc.change(&s)
		err := s.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.field) {
			t.Errorf("%s: got %v", tc.field, err)
		}
	}
	off := WebsiteSettings{Disabled: true}
	if err := off.Validate(); err != nil {
		t.Errorf("disabled section: %v", err)
	}
	if _, err := NewWebsiteCheck(off, nil, &fakeProber{}, newTestCache(), nil); err == nil {
		t.Error("a disabled check was built")
	}
}

func TestWebsiteReasons(t *testing.T) {
	abc := page("株式会社ABC商事 | 産業機械", "ようこそ ABC商事へ")
	abc.FinalURL, abc.Domain, abc.FinalDomain = "https://www.abc.co.jp/", "abc.co.jp", "abc.co.jp"
	reports := map[string]SiteReport{
		"https://www.abc.co.jp/": abc,
		"abc-trade.com":          {Status: 200, FinalURL: "https://www.abc.co.jp/", Domain: "abc-trade.com", FinalDomain: "abc.co.jp"},
		"xyz-mail.com":           {Status: 200, FinalURL: "https://xyz-mail.com/", Domain: "xyz-mail.com", FinalDomain: "xyz-mail.com", Title: "XYZ Mail"},
		"nomail.cn":              {Failure: SiteUnresolvable, Error: "no address for nomail.cn", Domain: "nomail.cn"},
		"ops.abc.co.jp":          {Status: 200, FinalURL: "https://ops.abc.co.jp/", Domain: "abc.co.jp", FinalDomain: "abc.co.jp"},
		"https://en.abc.co.jp/":  {Status: 200, FinalURL: "https://en.abc.co.jp/", Domain: "abc.co.jp", FinalDomain: "abc.co.jp", Title: "ABC Shoji Co., Ltd."},
		"other.com":              {Status: 200, FinalURL: "https://other.com/", Domain: "other.com", FinalDomain: "other.com", Title: "XYZ Trading Co., Ltd.", Copyright: "© 2024 XYZ Trading"},
		"gone.cn":                {Failure: SiteUnresolvable, Error: "no address for gone.cn", Domain: "gone.cn"},
		"down.cn":                {Failure: SiteUnreachable, Error: "connection refused", Domain: "down.cn"},
		"http://err.cn/":         {Failure: SiteUnreachable, Status: 503, Error: "status 503", Domain: "err.cn"},
		"sale.cn":                {Status: 200, FinalURL: "https://sale.cn/", Title: "sale.cn", Text: "This domain is for sale! Make an offer."},
		"uri.jp":                 {Status: 200, FinalURL: "https://uri.jp/", Title: "uri.jp", Text: "ただいまこのドメインは販売中です。"},
		"park.cn":                {Status: 200, FinalURL: "https://ww1.sedoparking.com/park.cn", Redirects: []string{"https://ww1.sedoparking.com/park.cn"}},
		"lander.cn":              {Status: 200, FinalURL: "https://lander.cn/", LinkedHosts: []string{"lander.cn", "img.dan.com"}},
		"hongda.cn":              {Status: 200, FinalURL: "https://hongda.cn/", Title: "深圳市宏达贸易有限公司", Domain: "hongda.cn"},
		"toyo.jp":                {Status: 200, FinalURL: "https://toyo.jp/", Text: "東洋精機製作所は精密測定機器のメーカーです"},
	}
	tests := []struct {
		name     string
		customer Party
		endUser  *Party
		want     map[string]string // role -> reason ("" for no flag)
	}{
		{"site names the company (Japanese title, Latin name)", Party{Name: "ABC Shoji Co., Ltd.", Website: "https://www.abc.co.jp/"}, nil, map[string]string{"customer": ""}},
		{"site names the company (株式会社 in the name)", Party{Name: "株式会社ABC商事", Website: "https://www.abc.co.jp/"}, nil, map[string]string{"customer": ""}},
		{"e-mail domain redirects to the website", Party{Name: "ABC商事", Website: "https://www.abc.co.jp/", Email: "sales@abc-trade.com"}, nil, map[string]string{"customer": ""}},
		{"e-mail on a subdomain of the website", Party{Name: "ABC商事", Website: "https://www.abc.co.jp/", Email: "sales@mail.abc.co.jp"}, nil, map[string]string{"customer": ""}},
		{"e-mail host with the same registrable domain", Party{Name: "ABC Shoji", Website: "https://en.abc.co.jp/", Email: "x@ops.abc.co.jp"}, nil, map[string]string{"customer": ""}},
		{"e-mail domain elsewhere", Party{Name: "ABC商事", Website: "https://www.abc.co.jp/", Email: "sales@xyz-mail.com"}, nil, map[string]string{"customer": WebsiteDomainMismatch}},
		{"e-mail domain with no site", Party{Name: "ABC商事", Website: "https://www.abc.co.jp/", Email: "sales@nomail.cn"}, nil, map[string]string{"customer": WebsiteDomainMismatch}},
		{"free mail only", Party{Name: "Hongda Trading", Email: "hongda88@qq.com"}, nil, map[string]string{"customer": WebsiteNoneGiven}},
		{"free mail on a subdomain", Party{Name: "Hongda Trading", Email: "hongda88@mail.yahoo.co.jp"}, nil, map[string]string{"customer": WebsiteNoneGiven}},
		{"nothing to look at", Party{Name: "Hongda Trading", Phone: "+86 755 1234"}, nil, map[string]string{"customer": ""}},
		{"site from a company e-mail", Party{Name: "深圳市宏达贸易有限公司", Email: "info@hongda.cn"}, nil, map[string]string{"customer": ""}},
		{"Chinese name in Latin letters", Party{Name: "Shenzhen Hongda Trading Co., Ltd.", Email: "info@hongda.cn"}, nil, map[string]string{"customer": ""}},
		{"kanji name inside running text", Party{Name: "株式会社東洋精機製作所", Website: "toyo.jp"}, nil, map[string]string{"customer": ""}},
		{"site names another company", Party{Name: "ABC Shoji", Website: "other.com"}, nil, map[string]string{"customer": WebsiteNameNotFound}},
		{"no address", Party{Name: "Gone Ltd", Website: "gone.cn"}, nil, map[string]string{"customer": WebsiteUnresolvable}},
		{"refused", Party{Name: "Down Ltd", Website: "down.cn"}, nil, map[string]string{"customer": WebsiteUnreachable}},
		{"status 503", Party{Name: "Err Ltd", Website: "http://err.cn/"}, nil, map[string]string{"customer": WebsiteUnreachable}},
		{"for-sale phrase", Party{Name: "Sale Ltd", Website: "sale.cn"}, nil, map[string]string{"customer": WebsiteParked}},
		{"Japanese for-sale phrase inside a sentence", Party{Name: "Uri KK", Website: "uri.jp"}, nil, map[string]string{"customer": WebsiteParked}},
		{"redirected to a parking host", Party{Name: "Park Ltd", Website: "park.cn"}, nil, map[string]string{"customer": WebsiteParked}},
		{"pulls from a parking host", Party{Name: "Lander Ltd", Website: "lander.cn"}, nil, map[string]string{"customer": WebsiteParked}},
		{"end user is another company", Party{Name: "ABC Shoji", Website: "https://www.abc.co.jp/"}, &Party{Name: "Gone Ltd", Email: "a@gone.cn"},
			map[string]string{"customer": "", "end_user": WebsiteUnresolvable}},
		{"end user is the customer written otherwise", Party{Name: "ABC Shoji Co., Ltd.", Email: "a@qq.com"}, &Party{Name: "ＡＢＣ商事（株）", Email: "b@gmail.com"},
			map[string]string{"customer": WebsiteNoneGiven}},
		{"name not found and domain mismatch: the larger wins", Party{Name: "ABC Shoji", Website: "other.com", Email: "x@xyz-mail.com"}, nil,
			map[string]string{"customer": WebsiteNameNotFound}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wc := newTestWebsiteCheck(t, testWebsiteSettings(), &fakeProber{reports: reports}, newTestCache())
			flags, err := wc.Run(context.Background(), websiteInput(tc.customer, tc.endUser))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for role, want := range tc.want {
				if want == "" {
					got[role] = ""
				}
			}
			for _, f := range flags {
				got[f.Party] = f.Evidence["reason"].(string)
				if f.Code != CodeNoWebsite || f.Message == "" || f.MessageJA == "" || f.Points != testWebsiteSettings().Reasons[got[f.Party]].Points {
					t.Errorf("flag %+v is incomplete", f)
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("reasons %v, want %v; flags %+v", got, tc.want, flags)
			}
		})
	}
}

func TestWebsiteEvidence(t *testing.T) {
	rep := SiteReport{Status: 200, FinalURL: "https://www.other.com/en/", Redirects: []string{"https://other.com/", "https://www.other.com/en/"},
		Title: "XYZ Trading Co., Ltd.", Domain: "other.com", FinalDomain: "other.com", FetchedAt: time.Now()}
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), &fakeProber{reports: map[string]SiteReport{"http://other.com": rep, "mail.cn": {Domain: "mail.cn", Failure: SiteUnresolvable}}}, newTestCache())
	flags, err := wc.Run(context.Background(), websiteInput(Party{Name: "ABC Shoji", Website: "http://other.com", Email: "a@mail.cn"}, nil))
	if err != nil || len(flags) != 1 {
		t.Fatalf("flags %+v, err %v", flags, err)
	}
	ev := flags[0].Evidence
	want := map[string]any{
		"reason": WebsiteNameNotFound, "url": "http://other.com", "final_url": "https://www.other.com/en/", "status": 200,
		"title": "XYZ Trading Co., Ltd.", "name_key": "abc shoji", "email_domain": "mail.cn", "cached": false,
	}
	for k, v := range want {
		if fmt.Sprint(ev[k]) != fmt.Sprint(v) {
			t.Errorf("evidence %s = %v, want %v", k, ev[k], v)
		}
	}
	if r, _ := ev["redirects"].([]string); len(r) != 2 {
		t.Errorf("evidence redirects = %v", ev["redirects"])
	}
	if o, _ := ev["other_reasons"].([]string); !slices.Equal(o, []string{WebsiteDomainMismatch}) {
		t.Errorf("other reasons = %v", ev["other_reasons"])
	}
	if !strings.Contains(flags[0].MessageJA, "企業名「ABC Shoji」の記載がありません") {
		t.Errorf("message_ja = %q", flags[0].MessageJA)
	}
}

// TestWebsiteTimeout: the screening waits at most the deadline and gets a
// timeout flag; the fetch goes on, fills the cache, and the next inquiry gets
// the answer from it.
func TestWebsiteTimeout(t *testing.T) {
	s := testWebsiteSettings()
	s.Deadline = 50 * time.Millisecond
	p := &fakeProber{reports: map[string]SiteReport{"gone.cn": {Failure: SiteUnresolvable, Domain: "gone.cn"}}, hold: make(chan struct{})}
	cache := newTestCache()
	wc := newTestWebsiteCheck(t, s, p, cache)
	in := websiteInput(Party{Name: "Gone Ltd", Website: "gone.cn"}, nil)

	start := time.Now()
	flags, err := wc.Run(context.Background(), in)
	if took := time.Since(start); took > 40*s.Deadline {
		t.Errorf("the check took %s with a deadline of %s", took, s.Deadline)
	}
	if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != WebsiteTimeout || flags[0].Points != 2 {
		t.Fatalf("flags %+v, err %v; want one timeout flag", flags, err)
	}
	close(p.hold)
	waitFor(t, func() bool { return cache.has(websiteCacheKey("gone.cn")) })
	flags, err = wc.Run(context.Background(), in)
	if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != WebsiteUnresolvable || flags[0].Evidence["cached"] != true {
		t.Fatalf("second run: flags %+v, err %v; want unresolvable from the cache", flags, err)
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWebsiteSingleFlight: concurrent screenings of one host probe it once.
func TestWebsiteSingleFlight(t *testing.T) {
	p := &fakeProber{reports: map[string]SiteReport{"other.com": {Status: 200, Title: "XYZ Trading"}}, hold: make(chan struct{})}
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), p, newTestCache())
	var wg sync.WaitGroup
	results := make([][]Flag, 20)
	for i := range results {
		wg.Go(func() {
			results[i], _ = wc.Run(context.Background(), websiteInput(Party{Name: "ABC Shoji", Website: "other.com"}, nil))
		})
	}
	waitFor(t, func() bool { return p.callCount() == 1 })
	time.Sleep(20 * time.Millisecond) // let every screening join the fetch
	close(p.hold)
	wg.Wait()
	for i, fs := range results {
		if len(fs) != 1 || fs[0].Evidence["reason"] != WebsiteNameNotFound {
			t.Errorf("screening %d: %+v", i, fs)
		}
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("%d probes for one host, want 1", n)
	}
}

// TestWebsiteOtherReplica: when another replica holds the host's lock, this one
// does not fetch but takes the other's result from the cache.
func TestWebsiteOtherReplica(t *testing.T) {
	cache := newTestCache()
	cache.locks[websiteLockKey("other.com")] = true
	p := &fakeProber{}
	other := newTestWebsiteCheck(t, testWebsiteSettings(), &fakeProber{}, newTestCache())
	entry := other.newSiteEntry(SiteReport{URL: "other.com", Status: 200, Title: "XYZ Trading"})
	b, err := entry.encode()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(150 * time.Millisecond)
		_ = cache.Set(context.Background(), websiteCacheKey("other.com"), b, time.Hour)
	}()
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), p, cache)
	flags, err := wc.Run(context.Background(), websiteInput(Party{Name: "ABC Shoji", Website: "other.com"}, nil))
	if err != nil || len(flags) != 1 || flags[0].Evidence["reason"] != WebsiteNameNotFound {
		t.Fatalf("flags %+v, err %v", flags, err)
	}
	if n := p.callCount(); n != 0 {
		t.Errorf("%d probes while another replica held the lock, want 0", n)
	}
}

// TestWebsiteSlots: fetches beyond MaxFetches wait for a slot only until the
// deadline, so background goroutines stay bounded.
func TestWebsiteSlots(t *testing.T) {
	s := testWebsiteSettings()
	s.MaxFetches, s.Deadline = 1, 50*time.Millisecond
	p := &fakeProber{reports: map[string]SiteReport{}, hold: make(chan struct{})}
	defer close(p.hold)
	wc := newTestWebsiteCheck(t, s, p, newTestCache())
	_, _ = wc.Run(context.Background(), websiteInput(Party{Name: "A", Website: "a.cn"}, nil))
	flags, _ := wc.Run(context.Background(), websiteInput(Party{Name: "B", Website: "b.cn"}, nil))
	if len(flags) != 1 || flags[0].Evidence["reason"] != WebsiteTimeout || !strings.Contains(fmt.Sprint(flags[0].Evidence["error"]), "slots busy") {
		t.Fatalf("flags %+v; want timeout, slots busy", flags)
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("%d probes with one slot, want 1", n)
	}
}

// TestWebsiteShutdown: Shutdown waits for running fetches; when its context
// ends first it cancels them; nothing cancelled is cached; no fetch starts after.
func TestWebsiteShutdown(t *testing.T) {
	s := testWebsiteSettings()
	s.Deadline = 20 * time.Millisecond
	p := &fakeProber{reports: map[string]SiteReport{"slow.cn": {Status: 200}}, hold: make(chan struct{})}
	cache := newTestCache()
	wc, err := NewWebsiteCheck(s, testFreeMail, p, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = wc.Run(context.Background(), websiteInput(Party{Name: "Slow", Website: "slow.cn"}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := wc.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("shutdown = %v, want deadline exceeded", err)
	}
	if p.aborted.Load() != 1 {
		t.Errorf("the running probe was not cancelled")
	}
	if cache.has(websiteCacheKey("slow.cn")) {
		t.Error("a cancelled fetch was cached")
	}
	flags, _ := wc.Run(context.Background(), websiteInput(Party{Name: "New", Website: "new.cn"}, nil))
	if len(flags) != 1 || flags[0].Evidence["reason"] != WebsiteTimeout || p.callCount() != 1 {
		t.Errorf("after shutdown: flags %+v, %d probes", flags, p.callCount())
	}

	// A shutdown with time enough waits for the fetch to end and keeps its result.
	p2 := &fakeProber{reports: map[string]SiteReport{"slow.cn": {Status: 200}}, hold: make(chan struct{})}
	wc2, _ := NewWebsiteCheck(s, testFreeMail, p2, cache, nil)
	_, _ = wc2.Run(context.Background(), websiteInput(Party{Name: "Slow", Website: "slow.cn"}, nil))
	time.AfterFunc(20*time.Millisecond, func() { close(p2.hold) })
	if err := wc2.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if !cache.has(websiteCacheKey("slow.cn")) {
		t.Error("the finished fetch was not cached")
	}
}

func TestWebsiteTTL(t *testing.T) {
	s := testWebsiteSettings()
	// fromerror.cn has no report: the fake prober answers it with an error, which
	// the check keeps as an unreachable site.
	reports := map[string]SiteReport{
		"ok.cn":       {Status: 200, Title: "OK"},
		"gone.cn":     {Failure: SiteUnresolvable},
		"servfail.cn": {Failure: SiteUnresolvable, Transient: true},
		"sale.cn":     {Status: 200, Text: "this domain is for sale"},
		"timedout.cn": {Failure: SiteUnreachable, Error: "timed out", Transient: true},
		"notfound.cn": {Failure: SiteUnreachable, Status: 404},
	}
	cache := newTestCache()
	wc := newTestWebsiteCheck(t, s, &fakeProber{reports: reports}, cache)
	want := map[string]time.Duration{
		"ok.cn": s.PositiveTTL, "gone.cn": s.NegativeTTL, "servfail.cn": s.TransientTTL, "sale.cn": s.NegativeTTL,
		"timedout.cn": s.TransientTTL, "notfound.cn": s.NegativeTTL, "fromerror.cn": s.NegativeTTL,
	}
	for host, ttl := range want {
		if _, err := wc.Run(context.Background(), websiteInput(Party{Name: "X", Website: host}, nil)); err != nil {
			t.Fatal(err)
		}
		if got := cache.ttls[websiteCacheKey(host)]; got != ttl {
			t.Errorf("%s cached for %s, want %s", host, got, ttl)
		}
	}
}

func TestSiteEntryRoundTrip(t *testing.T) {
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), &fakeProber{}, newTestCache())
	rep := SiteReport{URL: "https://abc.co.jp/", Status: 200, Title: "株式会社ABC商事", Text: "line one\nline two ABC商事", Headings: []string{"ようこそ"}, FetchedAt: time.Now().UTC().Truncate(time.Second)}
	e := wc.newSiteEntry(rep)
	b, err := e.encode()
	if err != nil {
		t.Fatal(err)
	}
	heads := &siteHeads{m: map[string]*siteEntry{}}
	// Decoded, then from the memo.
	for i := range 2 {
		d, err := heads.decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d.text, e.text) || !bytes.Equal(d.plain, e.plain) || d.Title != e.Title || d.Report.Title != rep.Title || d.Report.Text != "" || !d.Report.FetchedAt.Equal(rep.FetchedAt) {
			t.Errorf("round trip %d: %+v, want %+v", i, d, e)
		}
		d.Title, d.text = "changed by a caller", nil // the caller's own copy
	}
	if len(heads.m) != 1 {
		t.Errorf("memo holds %d header lines, want 1", len(heads.m))
	}
	for _, bad := range []string{"", "{}", "{\"v\":1}", "{\"v\":9}\n\n", "not json\n\n"} {
		if _, err := heads.decode([]byte(bad)); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
	if len(heads.m) != 1 {
		t.Errorf("memo holds %d header lines after bad ones, want 1", len(heads.m))
	}
	// The memo is bounded by the bytes of its lines, and counts them right.
	pad := strings.Repeat("x", 60<<10) // a long header, as 100 linked hosts make
	for i := range 2 * maxSiteHeadBytes / len(pad) {
		if _, err := heads.decode(fmt.Appendf(nil, "{\"v\":1,\"parked\":\"%d%s\"}\n\n", i, pad)); err != nil {
			t.Fatal(err)
		}
		total := 0
		for k := range heads.m {
			total += len(k)
		}
		if total != heads.bytes || total > maxSiteHeadBytes {
			t.Fatalf("after %d lines the memo holds %d bytes and counts %d, bound %d", i+1, total, heads.bytes, maxSiteHeadBytes)
		}
	}

	// An unreadable cached value is fetched again.
	cache := newTestCache()
	_ = cache.Set(context.Background(), websiteCacheKey("ok.cn"), []byte("garbage"), time.Hour)
	p := &fakeProber{reports: map[string]SiteReport{"ok.cn": {Status: 200, Title: "OK Ltd"}}}
	wc2 := newTestWebsiteCheck(t, testWebsiteSettings(), p, cache)
	if flags, _ := wc2.Run(context.Background(), websiteInput(Party{Name: "OK Ltd", Website: "ok.cn"}, nil)); len(flags) != 0 || p.callCount() != 1 {
		t.Errorf("flags %+v after %d probes", flags, p.callCount())
	}
}

func TestSiteEntryMentions(t *testing.T) {
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), &fakeProber{}, newTestCache())
	tests := []struct {
		name string
		rep  SiteReport
		want string
	}{
		{"ABC Shoji Co., Ltd.", SiteReport{Title: "株式会社ABC商事"}, "title"},
		{"ＡＢＣ商事（株）", SiteReport{Copyright: "© 2024 ABC Shoji Co., Ltd."}, "copyright"},
		{"Shoji ABC", SiteReport{SiteName: "ABC Shoji"}, "site_name"},
		{"ABC Shoji", SiteReport{Title: "ABCD Shoji"}, "title"}, // the scorer forgives a letter
		{"ABC Shoji", SiteReport{Title: "XYZ Kogyo | Top", Copyright: "© 2020 XYZ Kogyo"}, ""},
		{"Shenzhen Hongda Trading Co., Ltd.", SiteReport{Title: "首页 - 深圳市宏达贸易有限公司"}, "title"},
		{"Hongda Trading", SiteReport{Copyright: "Copyright © 2008-2024 Hongda Trading Limited 版权所有"}, "copyright"},
		{"ABC", SiteReport{Text: "Welcome to ABCD"}, ""},
		{"株式会社東洋精機", SiteReport{Text: "創業以来、東洋精機は測定機器を"}, "text"},
		{"東洋精機株式会社", SiteReport{Headings: []string{"Toyo Seiki"}}, ""}, // kanji and romaji are not folded onto each other
		{"XYZ Trading", SiteReport{Title: "ABC Shoji", Text: "Our partner XYZ Trading Co., Ltd."}, "text"},
		{"Hikiai", SiteReport{}, ""},
	}
	for _, tc := range tests {
		if got := wc.newSiteEntry(tc.rep).mentions(tc.name, names.Key(tc.name)); got != tc.want {
			t.Errorf("%q on %+v: %q, want %q", tc.name, tc.rep, got, tc.want)
		}
	}
}

func TestWebsiteHelpers(t *testing.T) {
	for in, want := range map[string]string{"a@ABC.co.jp": "abc.co.jp", "a@b@c.com": "c.com", "nobody": "", "a@": "", "x@[1.2.3.4]": ""} {
		if got := mailDomain(in); got != want {
			t.Errorf("mailDomain(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"https://WWW.Abc.co.jp/en/": "www.abc.co.jp", "abc.co.jp": "abc.co.jp", "abc.co.jp/jp/": "abc.co.jp",
		"http://abc.co.jp.:8080/": "abc.co.jp", "ftp://abc.co.jp": "", "": ""} {
		if got := websiteHost(in); got != want {
			t.Errorf("websiteHost(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{{"www.abc.co.jp", "abc.co.jp", true}, {"mail.abc.co.jp", "www.abc.co.jp", true}, {"abc.co.jp", "xabc.co.jp", false},
		{"abc.co.jp", "abc.com", false}, {"a.abc.co.jp", "b.abc.co.jp", false}} {
		if got := relatedHosts(c.a, c.b); got != c.want {
			t.Errorf("relatedHosts(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// BenchmarkWebsiteCachedCheck measures a screening whose site is in the cache:
// one Get, decoding the entry, folding the name and looking for it.
func BenchmarkWebsiteCachedCheck(b *testing.B) {
	text := strings.Repeat("当社は産業機械の専門商社として、工作機械・測定機器の輸出入を行っています。Quality products since 1950. ", 200) +
		"\n〒100-0001 東京都千代田区 ABC商事株式会社"
	p := &fakeProber{reports: map[string]SiteReport{"https://www.abc.co.jp/": {Status: 200, Title: "産業機械の専門商社", Text: text,
		Headings: []string{"ようこそ", "事業内容", "会社概要"}, Copyright: "© 2024 ABC Shoji Co., Ltd."}}}
	cache := newTestCache()
	wc := newTestWebsiteCheck(b, testWebsiteSettings(), p, cache)
	in := websiteInput(Party{Name: "株式会社ABC商事", Website: "https://www.abc.co.jp/", Email: "sales@abc.co.jp"}, nil)
	if flags, err := wc.Run(context.Background(), in); err != nil || len(flags) != 0 {
		b.Fatalf("warm-up: flags %+v, err %v", flags, err)
	}
	v, _, _ := cache.Get(context.Background(), websiteCacheKey("www.abc.co.jp"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		flags, err := wc.Run(ctx, in)
		if err != nil || len(flags) != 0 {
			b.Fatalf("flags %+v, err %v", flags, err)
		}
	}
	b.ReportMetric(float64(len(v)), "entry-bytes")
	if p.callCount() != 1 {
		b.Errorf("%d probes, want 1", p.callCount())
	}
}

// BenchmarkWebsiteCachedCrossScript is the slower cached path: a name in Latin
// letters against a page in Chinese, found only by the names scorer.
func BenchmarkWebsiteCachedCrossScript(b *testing.B) {
	p := &fakeProber{reports: map[string]SiteReport{"hongda.cn": {Status: 200, Title: "首页 - 深圳市宏达贸易有限公司",
		Text: strings.Repeat("公司主营机床、测量仪器进出口业务。", 100)}}}
	wc := newTestWebsiteCheck(b, testWebsiteSettings(), p, newTestCache())
	in := websiteInput(Party{Name: "Shenzhen Hongda Trading Co., Ltd.", Email: "info@hongda.cn"}, nil)
	ctx := context.Background()
	if flags, err := wc.Run(ctx, in); err != nil || len(flags) != 0 {
		b.Fatalf("warm-up: flags %+v, err %v", flags, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if flags, err := wc.Run(ctx, in); err != nil || len(flags) != 0 {
			b.Fatalf("flags %+v, err %v", flags, err)
		}
	}
}

// TestWebsiteObserve: the metrics hooks hear each party's outcome and each
// cache lookup (miss on the first screening, hit on the second).
func TestWebsiteObserve(t *testing.T) {
	prober := &fakeProber{reports: map[string]SiteReport{
		"abc.co.jp":  page("ABC商事株式会社", "ABC Shoji"),
		"gone.co.jp": {Domain: "gone.co.jp", Failure: SiteUnresolvable},
	}}
	wc := newTestWebsiteCheck(t, testWebsiteSettings(), prober, newTestCache())
	var mu sync.Mutex
	outcomes := map[string]int{}
	hits := map[bool]int{}
	wc.Observe(func(o string) { mu.Lock(); outcomes[o]++; mu.Unlock() },
		func(hit bool) { mu.Lock(); hits[hit]++; mu.Unlock() })
	in := websiteInput(Party{Name: "ABC Shoji", Email: "sales@abc.co.jp"}, &Party{Name: "Gone Trading", Email: "x@gone.co.jp"})
	for range 2 {
		if _, err := wc.Run(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if outcomes["ok"] != 2 || outcomes[WebsiteUnresolvable] != 2 {
		t.Errorf("outcomes %v, want ok 2 and %s 2", outcomes, WebsiteUnresolvable)
	}
	if hits[false] != 2 || hits[true] != 2 {
		t.Errorf("cache lookups %v, want 2 misses then 2 hits", hits)
	}
}
