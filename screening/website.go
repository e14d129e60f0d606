package screening

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hikiai/hikiai/screening/names"
)

// CodeNoWebsite is the red flag 引き合い元企業のWEBサイトが存在しない: the inquiring
// company has no website, it does not answer, or it does not show that company.
const CodeNoWebsite = "no_website"

// Reasons a no_website flag gives in evidence.reason, and the keys of
// WebsiteSettings.Reasons.
const (
	WebsiteNoneGiven      = "none_given"      // no website and only a free-mail address
	WebsiteUnresolvable   = "unresolvable"    // the domain has no address
	WebsiteUnreachable    = "unreachable"     // refused, TLS failure, timeout, status >= 400, address not allowed
	WebsiteParked         = "parked"          // a parking or for-sale page
	WebsiteNameNotFound   = "name_not_found"  // the page does not mention the company
	WebsiteDomainMismatch = "domain_mismatch" // e-mail domain and website differ, neither redirects to the other
	WebsiteTimeout        = "timeout"         // the look-up did not finish within the deadline
)

var websiteReasons = []string{WebsiteNoneGiven, WebsiteUnresolvable, WebsiteUnreachable, WebsiteParked,
	WebsiteNameNotFound, WebsiteDomainMismatch, WebsiteTimeout}

// Failures a SiteProber reports in SiteReport.Failure.
const (
	SiteUnresolvable = "unresolvable" // the host name has no address
	SiteUnreachable  = "unreachable"  // no page: refused, TLS, timeout, status >= 400, address or port not allowed
)

// SiteReport is what a SiteProber found at one address. Network outcomes are
// facts about the site and go in Failure, not in an error, so that they can be
// cached and shown as evidence.
type SiteReport struct {
	URL         string   `json:"url"`                    // the URL tried (https:// first when none was given)
	FinalURL    string   `json:"final_url,omitempty"`    // where redirects ended
	Redirects   []string `json:"redirects,omitempty"`    // every URL followed after URL, in order
	Status      int      `json:"status,omitempty"`       // HTTP status of the last response
	Domain      string   `json:"domain,omitempty"`       // registrable domain of URL's host (abc.co.jp)
	FinalDomain string   `json:"final_domain,omitempty"` // registrable domain of FinalURL's host
	Failure     string   `json:"failure,omitempty"`      // "", SiteUnresolvable or SiteUnreachable
	// Transient marks a failure that may be on our side or pass soon (a time-out,
	// a DNS server failure, no network): it is cached briefly.
	Transient   bool      `json:"transient,omitempty"`
	Error       string    `json:"error,omitempty"` // what went wrong, for people
	Title       string    `json:"title,omitempty"`
	SiteName    string    `json:"site_name,omitempty"` // og:site_name
	Description string    `json:"description,omitempty"`
	Headings    []string  `json:"headings,omitempty"`
	Copyright   string    `json:"copyright,omitempty"` // the copyright line (© 2024 ABC Co., Ltd.)
	Text        string    `json:"text,omitempty"`      // visible text with image alt texts, bounded
	LinkedHosts []string  `json:"linked_hosts,omitempty"`
	FetchedAt   time.Time `json:"fetched_at"`
}

// SiteProber fetches a website and reads its front page. url is an http or
// https URL, or a bare host name (the prober then tries https, then http). An
// error means url could not be tried at all (it is not a URL); everything the
// network says is in the report.
type SiteProber interface {
	Probe(ctx context.Context, url string) (SiteReport, error)
}

// WebsiteSettings is the no_website section of the rules.
type WebsiteSettings struct {
	Disabled bool `yaml:"disabled"`
	// Reasons gives the points and severity of each reason (every reason must be listed).
	Reasons map[string]WebsiteReason `yaml:"reasons"`
	// Deadline bounds how long a screening waits for look-ups; a fetch still
	// running then finishes in the background into the cache.
	Deadline time.Duration `yaml:"deadline"`
	// FetchTimeout bounds one fetch of one site, redirects included.
	FetchTimeout time.Duration `yaml:"fetch_timeout"`
	PositiveTTL  time.Duration `yaml:"positive_ttl"`  // a page was read
	NegativeTTL  time.Duration `yaml:"negative_ttl"`  // no address, refused, parked, status >= 400
	TransientTTL time.Duration `yaml:"transient_ttl"` // time-outs, DNS server failures, no network
	// MaxFetches bounds the fetches running at once in this process.
	MaxFetches     int      `yaml:"max_fetches"`
	UserAgent      string   `yaml:"user_agent"`
	AllowedPorts   []int    `yaml:"allowed_ports"`
	MaxRedirects   int      `yaml:"max_redirects"`
	MaxBytes       int64    `yaml:"max_bytes"`
	ParkingHosts   []string `yaml:"parking_hosts"`   // a page on, or pulling scripts or frames from, these hosts is parked
	ParkingPhrases []string `yaml:"parking_phrases"` // a page saying one of these is parked or for sale
}

// WebsiteReason is what one reason is worth.
type WebsiteReason struct {
	Points   int    `yaml:"points"`
	Severity string `yaml:"severity"`
}

// Validate checks every setting of the section and names the first bad one.
func (s *WebsiteSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	for _, r := range websiteReasons {
		wr, ok := s.Reasons[r]
		if !ok {
			return fmt.Errorf("reasons.%s: missing", r)
		}
		if wr.Points < 0 || wr.Points > 100 {
			return fmt.Errorf("reasons.%s.points: %d is not within 0..100", r, wr.Points)
		}
		switch wr.Severity {
		case SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh:
		default:
			return fmt.Errorf("reasons.%s.severity: %q is not one of info, low, medium, high", r, wr.Severity)
		}
	}
	for r := range s.Reasons {
		if !slices.Contains(websiteReasons, r) {
			return fmt.Errorf("reasons.%s: unknown reason (known: %s)", r, strings.Join(websiteReasons, ", "))
		}
	}
	for _, d := range []struct {
		name     string
		v        time.Duration
		min, max time.Duration
	}{
		{"deadline", s.Deadline, 10 * time.Millisecond, 30 * time.Second},
		{"fetch_timeout", s.FetchTimeout, 100 * time.Millisecond, time.Minute},
		{"positive_ttl", s.PositiveTTL, time.Minute, 90 * 24 * time.Hour},
		{"negative_ttl", s.NegativeTTL, time.Minute, 90 * 24 * time.Hour},
		{"transient_ttl", s.TransientTTL, time.Second, 24 * time.Hour},
	} {
		if d.v < d.min || d.v > d.max {
			return fmt.Errorf("%s: %s is not within [%s, %s]", d.name, d.v, d.min, d.max)
		}
	}
	if s.MaxFetches < 1 || s.MaxFetches > 1000 {
		return fmt.Errorf("max_fetches: %d is not within 1..1000", s.MaxFetches)
	}
	if strings.TrimSpace(s.UserAgent) == "" || strings.IndexFunc(s.UserAgent, unicode.IsControl) >= 0 {
		return fmt.Errorf("user_agent: must be non-empty text without control characters")
	}
	if len(s.AllowedPorts) == 0 {
		return fmt.Errorf("allowed_ports: at least one port (80, 443)")
	}
	for i, p := range s.AllowedPorts {
		if p < 1 || p > 65535 {
			return fmt.Errorf("allowed_ports[%d]: %d is not a TCP port", i, p)
		}
	}
	if s.MaxRedirects < 0 || s.MaxRedirects > 20 {
		return fmt.Errorf("max_redirects: %d is not within 0..20", s.MaxRedirects)
	}
	if s.MaxBytes < 1<<10 || s.MaxBytes > 64<<20 {
		return fmt.Errorf("max_bytes: %d is not within 1 KiB..64 MiB", s.MaxBytes)
	}
	for i, h := range s.ParkingHosts {
		if !validHostName(h) {
			return fmt.Errorf("parking_hosts[%d]: %q is not a lower-case host name", i, h)
		}
	}
	for i, p := range s.ParkingPhrases {
		if utf8.RuneCountInString(foldPlain(p)) < 4 {
			return fmt.Errorf("parking_phrases[%d]: %q has fewer than 4 letters or digits", i, p)
		}
	}
	return nil
}

// validHostName accepts lower-case ASCII host names with at least one dot.
func validHostName(h string) bool {
	if len(h) < 3 || len(h) > 253 || !strings.Contains(h, ".") || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// WebsiteCheck raises no_website. It looks each site up in the Cache first;
// otherwise one fetch per host runs in the background (one per process through
// an in-flight table, one across replicas through Cache.Lock) and fills the
// cache, while the screening waits at most Deadline for it.
type WebsiteCheck struct {
	settings     WebsiteSettings
	freeMail     map[string]bool
	prober       SiteProber
	cache        Cache
	log          *slog.Logger
	phrasesPlain []string // parking phrases folded by foldPlain
	parkingHosts []string

	slots    chan struct{} // one token per running fetch
	base     context.Context
	stop     context.CancelFunc
	mu       sync.Mutex
	inflight map[string]*siteCall
	closed   bool
	wg       sync.WaitGroup
	heads    siteHeads

	// observe, when set, hears every party's outcome and every cache lookup
	// (for metrics); see Observe.
	observeOutcome func(outcome string)
	observeCache   func(hit bool)
}

// Observe sets functions told each party's outcome ("ok", or the no_website
// reason) and whether each cache lookup hit. For metrics: they must be cheap
// and safe for concurrent use. Call before the check runs.
func (c *WebsiteCheck) Observe(outcome func(string), cache func(hit bool)) {
	c.observeOutcome, c.observeCache = outcome, cache
}

var _ Check = (*WebsiteCheck)(nil)

// NewWebsiteCheck builds the check. freeMail lists the free-mail domains
// (Settings.FreeMailDomains); prober fetches sites (sources/web); cache holds
// what was found, shared by replicas when it is Redis. Call Shutdown when done.
func NewWebsiteCheck(s WebsiteSettings, freeMail []string, prober SiteProber, cache Cache, log *slog.Logger) (*WebsiteCheck, error) {
	if s.Disabled {
		return nil, errors.New("no_website: the section is disabled")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("no_website: %w", err)
	}
	if prober == nil || cache == nil {
		return nil, errors.New("no_website: a prober and a cache are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &WebsiteCheck{
		settings: s, freeMail: map[string]bool{}, prober: prober, cache: cache, log: log,
		slots: make(chan struct{}, s.MaxFetches), inflight: map[string]*siteCall{},
		heads: siteHeads{m: map[string]*siteEntry{}},
	}
	for _, d := range freeMail {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.freeMail[d] = true
		}
	}
	for _, p := range s.ParkingPhrases {
		c.phrasesPlain = append(c.phrasesPlain, foldPlain(p))
	}
	for _, h := range s.ParkingHosts {
		c.parkingHosts = append(c.parkingHosts, strings.ToLower(h))
	}
	c.base, c.stop = context.WithCancel(context.Background())
	return c, nil
}

// Code implements Check.
func (c *WebsiteCheck) Code() string { return CodeNoWebsite }

// MayWait implements Waiter: a site not in the cache is fetched.
func (c *WebsiteCheck) MayWait() bool { return true }

// Shutdown stops new fetches and waits for running ones to finish; when ctx
// ends first it cancels them, waits for them to return, and reports ctx's error.
func (c *WebsiteCheck) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		c.stop()
		return nil
	case <-ctx.Done():
		c.stop()
		<-done
		return ctx.Err()
	}
}

// Close cancels running fetches and waits for them to return.
func (c *WebsiteCheck) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = c.Shutdown(ctx)
	return nil
}

// siteTarget is one site the check looks at for one party.
type siteTarget struct {
	probe string // what the prober gets: the website as given, or the e-mail domain
	host  string // lower-case host: the cache and in-flight key
}

// partyPlan says what to look up for one party.
type partyPlan struct {
	role     string
	party    *Party
	nameKey  string      // names.Key of the party's name
	freeMail string      // the free-mail domain, when the e-mail is one
	website  *siteTarget // the site to read (the website, else the e-mail domain)
	mailSite *siteTarget // the e-mail domain, when it differs from the website's host
}

// Run implements Check: one flag at most per party (customer, and the end user
// when it is another company).
func (c *WebsiteCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	plans := c.plan(in)
	targets := map[string]siteTarget{}
	for _, p := range plans {
		for _, t := range []*siteTarget{p.website, p.mailSite} {
			if t != nil {
				if _, ok := targets[t.host]; !ok {
					targets[t.host] = *t
				}
			}
		}
	}
	found := c.lookupAll(ctx, targets)
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, err // the caller went away; the fetches go on into the cache
	}
	var flags []Flag
	for _, p := range plans {
		f, ok := c.judge(p, found)
		if ok {
			flags = append(flags, f)
		}
		if c.observeOutcome != nil {
			outcome := "ok"
			if r, isReason := f.Evidence["reason"].(string); ok && isReason {
				outcome = r
			}
			c.observeOutcome(outcome)
		}
	}
	return flags, nil
}

// plan decides which sites to look at, per party.
func (c *WebsiteCheck) plan(in *Input) []partyPlan {
	customerKey := in.CustomerKey
	if customerKey == "" {
		customerKey = in.NameKey(in.Inquiry.Customer.Name)
	}
	parties := []partyPlan{{role: RoleCustomer, party: &in.Inquiry.Customer, nameKey: customerKey}}
	if eu := in.Inquiry.EndUser; eu != nil && strings.TrimSpace(eu.Name) != "" {
		if k := in.NameKey(eu.Name); k != customerKey {
			parties = append(parties, partyPlan{role: RoleEndUser, party: eu, nameKey: k})
		}
	}
	for i := range parties {
		p := &parties[i]
		mail := mailDomain(p.party.Email)
		if mail != "" && c.isFreeMail(mail) {
			p.freeMail, mail = mail, ""
		}
		if host := websiteHost(p.party.Website); host != "" {
			p.website = &siteTarget{probe: strings.TrimSpace(p.party.Website), host: host}
			if mail != "" && !relatedHosts(host, mail) {
				p.mailSite = &siteTarget{probe: mail, host: mail}
			}
		} else if mail != "" {
			p.website = &siteTarget{probe: mail, host: mail}
		}
	}
	return parties
}

func (c *WebsiteCheck) isFreeMail(domain string) bool {
	for d := domain; d != ""; {
		if c.freeMail[d] {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return false
}

// lookupResult is the outcome of looking one host up.
type lookupResult struct {
	entry   *siteEntry
	cached  bool
	timeout bool   // not known within the deadline
	err     string // why it timed out, when not just slow
}

// lookupAll looks the targets up concurrently and waits for them until the
// deadline.
func (c *WebsiteCheck) lookupAll(ctx context.Context, targets map[string]siteTarget) map[string]lookupResult {
	out := make(map[string]lookupResult, len(targets))
	if len(targets) == 0 {
		return out
	}
	waitCtx, cancel := context.WithTimeout(ctx, c.settings.Deadline)
	defer cancel()
	// The cache first, in line: most screenings end here, and spawning
	// goroutines would cost more than the look-ups.
	var misses []siteTarget
	for host, t := range targets {
		e := c.cached(waitCtx, t.host)
		if c.observeCache != nil {
			c.observeCache(e != nil)
		}
		if e != nil {
			out[host] = lookupResult{entry: e, cached: true}
		} else {
			misses = append(misses, t)
		}
	}
	if len(misses) == 1 {
		out[misses[0].host] = c.lookup(waitCtx, misses[0])
		return out
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, t := range misses {
		wg.Go(func() {
			r := c.lookup(waitCtx, t)
			mu.Lock()
			out[t.host] = r
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// cached returns the cached entry of a host, or nil.
func (c *WebsiteCheck) cached(ctx context.Context, host string) *siteEntry {
	b, ok, err := c.cache.Get(ctx, websiteCacheKey(host))
	if err != nil {
		c.log.Warn("website cache get", slog.String("host", host), slog.Any("err", err))
		return nil
	}
	if !ok {
		return nil
	}
	e, err := c.heads.decode(b)
	if err != nil {
		c.log.Warn("website cache entry unreadable; fetching again", slog.String("host", host), slog.Any("err", err))
		return nil
	}
	return e
}

// siteCall is one fetch in flight; waiters block on done.
type siteCall struct {
	done  chan struct{}
	entry *siteEntry
	err   error
}

var errShuttingDown = errors.New("the website check is shutting down")

// lookup joins or starts the fetch of a host the cache did not have, and
// waits for it until ctx ends.
func (c *WebsiteCheck) lookup(ctx context.Context, t siteTarget) lookupResult {
	key := websiteCacheKey(t.host)
	c.mu.Lock()
	call, joined := c.inflight[key]
	if !joined {
		if c.closed {
			c.mu.Unlock()
			return lookupResult{timeout: true, err: errShuttingDown.Error()}
		}
		call = &siteCall{done: make(chan struct{})}
		c.inflight[key] = call
		c.wg.Add(1)
	}
	c.mu.Unlock()

	if !joined {
		// A fetch needs a slot; only the goroutine that holds one runs, so the
		// number of background goroutines never exceeds MaxFetches.
		select {
		case c.slots <- struct{}{}:
			go c.fetch(call, key, t)
		case <-ctx.Done():
			c.finish(call, key, nil, fmt.Errorf("all %d fetch slots busy", c.settings.MaxFetches))
			c.wg.Done()
			return lookupResult{timeout: true, err: call.err.Error()}
		}
	}
	select {
	case <-call.done:
		if call.err != nil {
			return lookupResult{timeout: true, err: call.err.Error()}
		}
		return lookupResult{entry: call.entry}
	case <-ctx.Done():
		return lookupResult{timeout: true}
	}
}

// finish publishes a call's outcome and removes it from the in-flight table.
func (c *WebsiteCheck) finish(call *siteCall, key string, e *siteEntry, err error) {
	call.entry, call.err = e, err
	c.mu.Lock()
	delete(c.inflight, key)
	c.mu.Unlock()
	close(call.done)
}

// fetch runs in the background with its own context: it takes the replicas'
// lock, probes the site, and stores the entry.
func (c *WebsiteCheck) fetch(call *siteCall, key string, t siteTarget) {
	var (
		entry *siteEntry
		err   error
	)
	defer func() {
		if r := recover(); r != nil {
			entry, err = nil, fmt.Errorf("probe of %s panicked: %v", t.host, r)
			c.log.Error("website probe panicked", slog.String("host", t.host), slog.Any("panic", r))
		}
		c.finish(call, key, entry, err)
		<-c.slots
		c.wg.Done()
	}()
	entry, err = c.fetchShared(key, t)
}

// fetchShared fetches unless another replica holds the lock for the host, in
// which case it waits for that replica's entry (and fetches itself if none
// comes before the lock would have expired).
func (c *WebsiteCheck) fetchShared(key string, t siteTarget) (*siteEntry, error) {
	// A fetch that just ended (here or on another replica) may have filled the
	// cache since the screening looked.
	if e := c.cached(c.base, t.host); e != nil {
		return e, nil
	}
	lockTTL := c.settings.FetchTimeout + 2*time.Second
	release, ok, err := c.cache.Lock(c.base, websiteLockKey(t.host), lockTTL)
	switch {
	case err != nil:
		c.log.Warn("website lock; fetching without it", slog.String("host", t.host), slog.Any("err", err))
	case ok:
		if release != nil {
			defer release()
		}
	default:
		if e := c.awaitOther(key, lockTTL); e != nil {
			return e, nil
		}
		if err := c.base.Err(); err != nil {
			return nil, errShuttingDown
		}
	}

	ctx, cancel := context.WithTimeout(c.base, c.settings.FetchTimeout+time.Second)
	defer cancel()
	rep, err := c.prober.Probe(ctx, t.probe)
	if err != nil {
		// The prober could not even try: keep that as a fact about the site.
		rep = SiteReport{URL: t.probe, Failure: SiteUnreachable, Error: err.Error(), FetchedAt: time.Now().UTC()}
	}
	if c.base.Err() != nil {
		return nil, errShuttingDown // cancelled, not an answer from the site: cache nothing
	}
	e := c.newSiteEntry(rep)
	if b, err := e.encode(); err != nil {
		c.log.Error("website entry encode", slog.String("host", t.host), slog.Any("err", err))
	} else {
		setCtx, cancel := context.WithTimeout(c.base, 2*time.Second)
		if err := c.cache.Set(setCtx, key, b, c.ttl(e)); err != nil {
			c.log.Warn("website cache set", slog.String("host", t.host), slog.Any("err", err))
		}
		cancel()
	}
	return e, nil
}

// awaitOther polls the cache while another replica fetches.
func (c *WebsiteCheck) awaitOther(key string, max time.Duration) *siteEntry {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	end := time.NewTimer(max)
	defer end.Stop()
	for {
		select {
		case <-c.base.Done():
			return nil
		case <-end.C:
			return nil
		case <-tick.C:
			if b, ok, err := c.cache.Get(c.base, key); err == nil && ok {
				if e, err := c.heads.decode(b); err == nil {
					return e
				}
			}
		}
	}
}

func (c *WebsiteCheck) ttl(e *siteEntry) time.Duration {
	switch {
	case e.Report.Failure != "" && e.Report.Transient:
		return c.settings.TransientTTL
	case e.Report.Failure != "" || e.Parked != "":
		return c.settings.NegativeTTL
	}
	return c.settings.PositiveTTL
}

// siteEntry is what the cache holds per host: the report without its text,
// and the page's parts folded once, so that a cached check only compares
// strings.
type siteEntry struct {
	Version int        `json:"v"`
	Report  SiteReport `json:"report"`
	// Parked says why the page is a parking page ("" when it is not).
	Parked string `json:"parked,omitempty"`
	// Keyed parts, each " " + names.Key(part) + " " so that a name matches only
	// at word boundaries.
	Title     string `json:"title_key,omitempty"`
	SiteName  string `json:"site_name_key,omitempty"`
	Headings  string `json:"headings_key,omitempty"`
	Copyright string `json:"copyright_key,omitempty"`
	Describe  string `json:"description_key,omitempty"`
	// text is the keyed visible text and plain every part run through
	// foldPlain; both follow the JSON line in the cached value, and a decoded
	// entry points into the cached bytes rather than copying them.
	text  []byte
	plain []byte
}

const (
	siteEntryVersion = 1
	// maxFoldedText bounds each folded text kept per site. A front page names
	// its company in the header or the footer (kept apart as the copyright
	// line), and Redis keeps one entry per host for days.
	maxFoldedText = 8 << 10
)

func websiteCacheKey(host string) string { return "website:" + host }
func websiteLockKey(host string) string  { return "website-lock:" + host }

// newSiteEntry folds the report's page parts and decides whether it is parked.
func (c *WebsiteCheck) newSiteEntry(rep SiteReport) *siteEntry {
	pad := func(s string) string {
		if k := names.Key(s); k != "" {
			return " " + k + " "
		}
		return ""
	}
	e := &siteEntry{Version: siteEntryVersion}
	if rep.Failure == "" {
		e.Title, e.SiteName, e.Copyright, e.Describe = pad(rep.Title), pad(rep.SiteName), pad(rep.Copyright), pad(rep.Description)
		e.Headings = pad(strings.Join(rep.Headings, " \n "))
		text := pad(rep.Text)
		if len(text) > maxFoldedText {
			text = text[:strings.LastIndexByte(text[:maxFoldedText], ' ')+1]
		}
		all := strings.Join(append([]string{rep.Title, rep.SiteName, rep.Description, rep.Copyright}, append(rep.Headings, rep.Text)...), "\n")
		plain := foldPlain(all)
		e.Parked = c.parkedBy(&rep, plain)
		e.text = []byte(text)
		if hasCJK(plain) { // plain serves only names written in CJK scripts
			e.plain = []byte(clipUTF8(plain, maxFoldedText))
		}
	}
	rep.Text = ""
	e.Report = rep
	return e
}

// foldPlain keeps only letters and digits, NFKC and case folded, so that
// phrases and names in scripts written without spaces (Japanese, Chinese) are
// found whatever punctuation or spacing surrounds them.
func foldPlain(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// hasCJK reports whether s has Han, kana or Hangul letters.
func hasCJK(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
			unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)) {
			return true
		}
	}
	return false
}

// clipUTF8 cuts s to at most n bytes on a rune boundary.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// parkedBy tells why a page looks like a parking or for-sale page: it is on a
// parking host, pulls scripts, frames or links from one, or says a parking
// phrase (plain is the page folded by foldPlain).
func (c *WebsiteCheck) parkedBy(rep *SiteReport, plain string) string {
	hosts := []string{urlHost(rep.FinalURL)}
	for _, u := range rep.Redirects {
		hosts = append(hosts, urlHost(u))
	}
	for i, h := range append(hosts, rep.LinkedHosts...) {
		for _, p := range c.parkingHosts {
			if h == p || strings.HasSuffix(h, "."+p) {
				if i < len(hosts) {
					return "served by parking host " + p
				}
				return "uses parking host " + p
			}
		}
	}
	for i, p := range c.phrasesPlain {
		if strings.Contains(plain, p) {
			return fmt.Sprintf("says %q", c.settings.ParkingPhrases[i])
		}
	}
	return ""
}

// encode writes the entry as one JSON line, then the keyed text, a newline
// and the plain text (neither holds a newline), so a cached check decodes
// only the small part as JSON.
func (e *siteEntry) encode() ([]byte, error) {
	head, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode site entry: %w", err)
	}
	b := make([]byte, 0, len(head)+2+len(e.text)+len(e.plain))
	b = append(append(append(b, head...), '\n'), e.text...)
	b = append(append(b, '\n'), e.plain...)
	return b, nil
}

// siteHeads keeps the decoded header lines of cached site entries. The cache
// hands out the same bytes for a host until the host is fetched again, and
// decoding the JSON line for every party of every screening was 2 % of the
// server's CPU at 1,000 screenings/s. Keyed by the line itself, a refetched
// site simply gets a new key; the map is emptied when full.
type siteHeads struct {
	mu    sync.Mutex
	m     map[string]*siteEntry // text and plain unset; never changed once in
	bytes int                   // the keys' length in all
}

// maxSiteHeadBytes bounds the memo by the length of the header lines it
// holds (the decoded entries take about as much again). A line is usually
// under 2 KB, but a page's 20 headings and 100 linked hosts can make it
// 70 KB.
const maxSiteHeadBytes = 8 << 20

// decode parses a cached value. The entry it returns is the caller's own;
// its strings and slices are shared and read-only, as are text and plain,
// which point into b.
func (h *siteHeads) decode(b []byte) (*siteEntry, error) {
	head, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok {
		return nil, errors.New("site entry: no header line")
	}
	text, plain, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil, errors.New("site entry: no text line")
	}
	h.mu.Lock()
	known := h.m[string(head)]
	h.mu.Unlock()
	if known == nil {
		known = new(siteEntry)
		if err := json.Unmarshal(head, known); err != nil {
			return nil, fmt.Errorf("site entry header: %w", err)
		}
		if known.Version != siteEntryVersion {
			return nil, fmt.Errorf("site entry version %d, want %d", known.Version, siteEntryVersion)
		}
		h.mu.Lock()
		if h.bytes+len(head) > maxSiteHeadBytes {
			clear(h.m)
			h.bytes = 0
		}
		if _, dup := h.m[string(head)]; !dup { // another caller decoded it meanwhile
			h.bytes += len(head)
		}
		h.m[string(head)] = known
		h.mu.Unlock()
	}
	e := *known
	e.text, e.plain = text, plain
	return &e, nil
}

// mentions reports where the page names the company (the part's name, or "");
// key is names.Key(name).
// The name is compared as names.Key folds it (legal forms, case, width and
// script folded, so ABC商事 matches "ABC Shoji Co., Ltd."): the whole key at
// word boundaries, or every word of it within one part (word order differs
// between languages). A name written in Japanese or Chinese is also looked
// for without word boundaries, as those scripts are written without spaces.
func (e *siteEntry) mentions(name, key string) string {
	if key == "" {
		return ""
	}
	// The visible text (last) is kept as bytes; the short parts as strings.
	parts := [...]struct{ name, folded string }{
		{"title", e.Title}, {"site_name", e.SiteName}, {"headings", e.Headings},
		{"copyright", e.Copyright}, {"description", e.Describe}, {"text", ""},
	}
	contains := func(part int, s string) bool {
		if part == len(parts)-1 {
			return bytes.Contains(e.text, []byte(s))
		}
		return strings.Contains(parts[part].folded, s)
	}
	whole := " " + key + " "
	for i, p := range parts {
		if contains(i, whole) {
			return p.name
		}
	}
	tokens := strings.Fields(key)
	for i, p := range parts {
		all := true
		for _, t := range tokens {
			if !contains(i, " "+t+" ") {
				all = false
				break
			}
		}
		if all {
			return p.name
		}
	}
	if core := plainCore(name); core != "" && bytes.Contains(e.plain, []byte(core)) {
		return "text"
	}
	// Last, the name against the short parts one by one with the names scorer,
	// which pairs words across scripts by reading and gloss (Shenzhen Hongda
	// Trading and 深圳市宏达贸易有限公司). It costs tens of microseconds per
	// part, so it runs only when everything above failed.
	for _, c := range e.candidates() {
		if names.Compare(name, c.text, names.CompareOptions{}).Match {
			return c.part
		}
	}
	return ""
}

// titleSeparators cut titles like "ABC Shoji | Top" into their parts.
var titleSeparators = strings.NewReplacer(" | ", "\n", "｜", "\n", " - ", "\n", " – ", "\n", " — ", "\n",
	" : ", "\n", "：", "\n", " / ", "\n", "【", "\n", "】", "\n", "「", "\n", "」", "\n", " » ", "\n", "|", "\n")

// copyrightNoise is what a copyright line says besides the name.
var copyrightNoise = regexp.MustCompile(`(?i)copyright|©|\(c\)|all rights reserved\.?|版权所有|版權所有|著作権|\d{4}(\s*[-–~〜]\s*\d{4})?`)

type candidate struct{ part, text string }

// candidates are the short parts of the page that may be just the name: title
// segments, the site name, the copyright holder, the first headings.
func (e *siteEntry) candidates() []candidate {
	const most = 6
	var out []candidate
	add := func(part, text string) {
		if text = strings.Trim(strings.TrimSpace(text), ".,;"); text != "" && len(out) < most && utf8.RuneCountInString(text) <= 80 {
			out = append(out, candidate{part, text})
		}
	}
	for _, seg := range strings.Split(titleSeparators.Replace(e.Report.Title), "\n") {
		add("title", seg)
	}
	add("site_name", e.Report.SiteName)
	add("copyright", copyrightNoise.ReplaceAllString(e.Report.Copyright, " "))
	for _, h := range e.Report.Headings {
		add("headings", h)
	}
	return out
}

// plainCore is the name without its legal forms, folded by foldPlain, when the
// name has Japanese, Chinese or Korean letters; "" otherwise or when too short
// to mean anything on its own.
func plainCore(name string) string {
	var b strings.Builder
	cjk := false
	for _, t := range names.Normalise(name) {
		if t.Class == names.ClassLegal {
			continue
		}
		switch t.Script {
		case names.ScriptKana, names.ScriptHan, names.ScriptHangul:
			cjk = true
		}
		b.WriteString(t.Text)
	}
	core := foldPlain(b.String())
	if !cjk || utf8.RuneCountInString(core) < 2 {
		return ""
	}
	return core
}

// judge decides the flag for one party from what was found.
func (c *WebsiteCheck) judge(p partyPlan, found map[string]lookupResult) (Flag, bool) {
	ev := map[string]any{}
	if p.party.Website != "" {
		ev["website"] = p.party.Website
	}
	if p.party.Email != "" {
		ev["email"] = p.party.Email
	}
	if p.website == nil {
		if p.freeMail == "" {
			return Flag{}, false // nothing to look at: no website, no e-mail
		}
		ev["free_mail_domain"] = p.freeMail
		return c.flag(p, WebsiteNoneGiven, ev), true
	}

	site := found[p.website.host]
	if site.timeout {
		return c.timeoutFlag(p, p.website, site, ev), true
	}
	rep := &site.entry.Report
	c.reportEvidence(ev, site)

	var reasons []string
	switch {
	case rep.Failure == SiteUnresolvable:
		reasons = append(reasons, WebsiteUnresolvable)
	case rep.Failure != "":
		reasons = append(reasons, WebsiteUnreachable)
	case site.entry.Parked != "":
		ev["parked_by"] = site.entry.Parked
		reasons = append(reasons, WebsiteParked)
	default:
		if site.entry.mentions(p.party.Name, p.nameKey) == "" {
			ev["name_key"] = p.nameKey
			reasons = append(reasons, WebsiteNameNotFound)
		}
	}

	if p.mailSite != nil {
		ev["email_domain"] = p.mailSite.host
		mail := found[p.mailSite.host]
		switch {
		case mail.timeout && len(reasons) == 0:
			return c.timeoutFlag(p, p.mailSite, mail, ev), true
		case !mail.timeout:
			mrep := &mail.entry.Report
			if mrep.FinalURL != "" {
				ev["email_site_final_url"] = mrep.FinalURL
			}
			if !sitesRelated(p.website.host, rep, p.mailSite.host, mrep) {
				reasons = append(reasons, WebsiteDomainMismatch)
			}
		}
	}
	if len(reasons) == 0 {
		return Flag{}, false
	}
	// One flag per party: the reason worth most, the others as evidence.
	slices.SortStableFunc(reasons, func(a, b string) int {
		return c.settings.Reasons[b].Points - c.settings.Reasons[a].Points
	})
	if len(reasons) > 1 {
		ev["other_reasons"] = reasons[1:]
	}
	return c.flag(p, reasons[0], ev), true
}

func (c *WebsiteCheck) reportEvidence(ev map[string]any, site lookupResult) {
	rep := &site.entry.Report
	ev["url"] = rep.URL
	for k, v := range map[string]string{"final_url": rep.FinalURL, "title": rep.Title, "error": rep.Error} {
		if v != "" {
			ev[k] = v
		}
	}
	if rep.Status != 0 {
		ev["status"] = rep.Status
	}
	if len(rep.Redirects) > 0 {
		ev["redirects"] = rep.Redirects
	}
	ev["fetched_at"] = rep.FetchedAt
	ev["cached"] = site.cached
}

func (c *WebsiteCheck) timeoutFlag(p partyPlan, t *siteTarget, r lookupResult, ev map[string]any) Flag {
	ev["url"] = t.probe
	ev["deadline"] = c.settings.Deadline.String()
	if r.err != "" {
		ev["error"] = r.err
	}
	return c.flag(p, WebsiteTimeout, ev)
}

// flag builds the flag for a reason with its messages.
func (c *WebsiteCheck) flag(p partyPlan, reason string, ev map[string]any) Flag {
	ev["reason"] = reason
	ev["name"] = p.party.Name
	r := c.settings.Reasons[reason]
	who, whoJA := "customer", "引き合い元"
	if p.role == RoleEndUser {
		who, whoJA = "end user", "最終需要者"
	}
	site, _ := ev["url"].(string)
	var en, ja string
	switch reason {
	case WebsiteNoneGiven:
		en = fmt.Sprintf("The %s %q gives no website and only a free-mail address (%s).", who, p.party.Name, p.freeMail)
		ja = fmt.Sprintf("%s「%s」はWEBサイトを示さず、連絡先はフリーメール（%s）のみです。", whoJA, p.party.Name, p.freeMail)
	case WebsiteUnresolvable:
		en = fmt.Sprintf("The website of the %s %q (%s) does not exist: its domain has no address.", who, p.party.Name, site)
		ja = fmt.Sprintf("%s「%s」のWEBサイト（%s）は存在しません（ドメインにアドレスがありません）。", whoJA, p.party.Name, site)
	case WebsiteUnreachable:
		detail := "no page"
		if e, ok := ev["error"].(string); ok {
			detail = e
		} else if st, ok := ev["status"].(int); ok {
			detail = fmt.Sprintf("status %d", st)
		}
		en = fmt.Sprintf("The website of the %s %q (%s) does not answer: %s.", who, p.party.Name, site, detail)
		ja = fmt.Sprintf("%s「%s」のWEBサイト（%s）に接続できません（%s）。", whoJA, p.party.Name, site, detail)
	case WebsiteParked:
		en = fmt.Sprintf("The website of the %s %q (%s) is a parked or for-sale domain page.", who, p.party.Name, site)
		ja = fmt.Sprintf("%s「%s」のWEBサイト（%s）はパーキング（売り出し中）のページです。", whoJA, p.party.Name, site)
	case WebsiteNameNotFound:
		en = fmt.Sprintf("The website of the %s (%s) does not show the company name %q.", who, site, p.party.Name)
		ja = fmt.Sprintf("%sのWEBサイト（%s）に企業名「%s」の記載がありません。", whoJA, site, p.party.Name)
	case WebsiteDomainMismatch:
		en = fmt.Sprintf("The e-mail domain of the %s %q (%s) is not its website's (%s), and neither redirects to the other.", who, p.party.Name, ev["email_domain"], site)
		ja = fmt.Sprintf("%s「%s」のメールドメイン（%s）はWEBサイト（%s）と異なり、互いに転送もされていません。", whoJA, p.party.Name, ev["email_domain"], site)
	case WebsiteTimeout:
		en = fmt.Sprintf("The website of the %s %q (%s) could not be checked within %s; the result will be ready for the next inquiry.", who, p.party.Name, site, c.settings.Deadline)
		ja = fmt.Sprintf("%s「%s」のWEBサイト（%s）を時間内（%s）に確認できませんでした。結果は次回の引き合いで使われます。", whoJA, p.party.Name, site, c.settings.Deadline)
	}
	return Flag{Code: CodeNoWebsite, Severity: r.Severity, Points: r.Points, Party: p.role, Message: en, MessageJA: ja, Evidence: ev}
}

// mailDomain returns the lower-case domain of an e-mail address, or "".
func mailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	if d == "" || strings.ContainsAny(d, " /\\:[]<>") {
		return ""
	}
	return d
}

// websiteHost returns the lower-case host of a website as the inquiry gives it
// (with or without a scheme), or "".
func websiteHost(website string) string {
	raw := strings.TrimSpace(website)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

func urlHost(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// relatedHosts reports whether two hosts belong to one site by their names
// alone: equal, or one a subdomain of the other once "www." is set aside.
func relatedHosts(a, b string) bool {
	a, b = strings.TrimPrefix(a, "www."), strings.TrimPrefix(b, "www.")
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}

// sitesRelated reports whether the website and the e-mail domain are one
// company's: related host names, the same registrable domain, or one
// redirecting to the other.
func sitesRelated(webHost string, web *SiteReport, mailHost string, mail *SiteReport) bool {
	webHosts := []string{webHost, urlHost(web.FinalURL)}
	mailHosts := []string{mailHost, urlHost(mail.FinalURL)}
	for _, w := range webHosts {
		for _, m := range mailHosts {
			if w != "" && m != "" && relatedHosts(w, m) {
				return true
			}
		}
	}
	webDomains := []string{web.Domain, web.FinalDomain}
	for _, m := range []string{mail.Domain, mail.FinalDomain} {
		if m != "" && slices.Contains(webDomains, m) {
			return true
		}
	}
	return false
}
