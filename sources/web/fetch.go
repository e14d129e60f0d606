// Package web reads companies' websites for the no_website red flag. URLs come
// from inquiries, that is from anyone on the internet, so the fetcher is built
// as an attack surface: http and https only, allowed ports only, a bounded
// number of redirects each checked again, a bounded body, one deadline for
// everything, and a refusal at dial time, after DNS, of every address that is
// not public unicast (loopback, private, link-local with cloud metadata,
// multicast, unspecified, CGNAT, IPv4-mapped and NAT64 forms of those). Because
// the check is on the address actually connected to, DNS rebinding and
// redirects to internal hosts fail the same way as a literal 10.0.0.1.
package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/hikiai/hikiai/screening"
)

// Defaults for zero Options fields.
const (
	DefaultTimeout      = 3 * time.Second
	DefaultMaxBytes     = 2 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "HikiaiBot/1.0 (trade counterparty screening; checks that a company website exists)"
)

// Options configure a Fetcher. Zero fields take the defaults above.
type Options struct {
	// AllowPrivate lets the fetcher connect to loopback, private and other
	// internal addresses, on any port. For tests only (HIKIAI_FETCH_ALLOW_PRIVATE):
	// NewFetcher logs a warning when it is set.
	AllowPrivate bool
	UserAgent    string
	Timeout      time.Duration // one Probe in total, redirects and fallback included
	MaxBytes     int64         // body bytes read per response, after decompression
	MaxRedirects int           // HTTP and meta-refresh redirects together; negative: none
	AllowedPorts []int         // default 80 and 443
	Log          *slog.Logger
	// LookupIP resolves a host name to addresses (nil: the system resolver). Every
	// address it returns is checked like any other, so tests can make a name
	// resolve to 127.0.0.1 and see it refused.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
}

// OptionsFrom takes the fetch settings of the no_website rules.
func OptionsFrom(s screening.WebsiteSettings, allowPrivate bool, log *slog.Logger) Options {
	o := Options{
		AllowPrivate: allowPrivate, UserAgent: s.UserAgent, Timeout: s.FetchTimeout, MaxBytes: s.MaxBytes,
		MaxRedirects: s.MaxRedirects, AllowedPorts: s.AllowedPorts, Log: log,
	}
	if s.MaxRedirects == 0 {
		o.MaxRedirects = -1 // the rules' 0 is "none"; the option's 0 is "default"
	}
	return o
}

// Fetcher probes websites. It is safe for concurrent use.
type Fetcher struct {
	opt       Options
	ports     map[string]bool
	dialer    *net.Dialer
	transport *http.Transport
	// blocked is the address policy (blockedReason). Tests replace it to let
	// exactly 127.0.0.1 through, so that a first hop can be served locally and
	// what it redirects to is refused as in production.
	blocked func(netip.Addr) string
	// dialPort, set by tests only, maps the port of a URL to the port actually
	// dialled, so that https://name/ can reach an httptest server.
	dialPort func(port string) string
}

var _ screening.SiteProber = (*Fetcher)(nil)

// NewFetcher builds a fetcher.
func NewFetcher(o Options) (*Fetcher, error) {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = DefaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if len(o.AllowedPorts) == 0 {
		o.AllowedPorts = []int{80, 443}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout < 0 || o.MaxBytes < 0 {
		return nil, fmt.Errorf("web: timeout %s and max bytes %d must not be negative", o.Timeout, o.MaxBytes)
	}
	f := &Fetcher{opt: o, ports: map[string]bool{}, blocked: blockedReason}
	for _, p := range o.AllowedPorts {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("web: allowed port %d is not a TCP port", p)
		}
		f.ports[strconv.Itoa(p)] = true
	}
	if o.LookupIP == nil {
		f.opt.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	f.dialer = &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, Control: f.control}
	f.transport = &http.Transport{
		Proxy:                  nil, // a proxy would connect for us, past the address check
		DialContext:            f.dialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
	}
	if o.AllowPrivate {
		o.Log.Warn("website fetcher may connect to loopback and private addresses on any port (HIKIAI_FETCH_ALLOW_PRIVATE): use in tests only")
	}
	return f, nil
}

// Close drops idle connections.
func (f *Fetcher) Close() { f.transport.CloseIdleConnections() }

// failure kinds decide the https-to-http fallback for bare host names.
type failureKind int

const (
	kindNone failureKind = iota
	kindDNS
	kindRefused // connection refused
	kindTLS
	kindOther
)

// Probe fetches raw and reads the page it ends on. raw is an http or https
// URL, or a host name with or without a path (then https is tried first, and
// http when https is refused or fails its TLS handshake). Network outcomes are
// in the report; the error is for input that is not a URL at all.
func (f *Fetcher) Probe(ctx context.Context, raw string) (screening.SiteReport, error) {
	raw = strings.TrimSpace(raw)
	bare := !strings.Contains(raw, "://")
	first := raw
	if bare {
		first = "https://" + raw
	}
	u, err := url.Parse(first)
	switch {
	case err != nil:
		return screening.SiteReport{}, fmt.Errorf("web: probe %q: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return screening.SiteReport{}, fmt.Errorf("web: probe %q: scheme %q is not http or https", raw, u.Scheme)
	case u.Hostname() == "":
		return screening.SiteReport{}, fmt.Errorf("web: probe %q: no host", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opt.Timeout)
	defer cancel()
	start := time.Now()
	rep, kind := f.probeURL(ctx, u)
	if bare && (kind == kindRefused || kind == kindTLS) && ctx.Err() == nil {
		plain := *u
		plain.Scheme = "http"
		if rep2, _ := f.probeURL(ctx, &plain); rep2.Failure == "" {
			rep = rep2
		}
	}
	f.opt.Log.Debug("website probed", slog.String("url", rep.URL), slog.String("final", rep.FinalURL),
		slog.Int("status", rep.Status), slog.String("failure", rep.Failure), slog.String("error", rep.Error),
		slog.Duration("took", time.Since(start)))
	return rep, nil
}

// probeURL fetches one URL and follows HTTP and meta-refresh redirects.
func (f *Fetcher) probeURL(ctx context.Context, start *url.URL) (screening.SiteReport, failureKind) {
	rep := screening.SiteReport{URL: start.String(), Domain: registrable(start.Hostname()), FetchedAt: time.Now().UTC()}
	hops := 0
	client := &http.Client{
		Transport: f.transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if hops >= f.opt.MaxRedirects {
				return fmt.Errorf("more than %d redirects", f.opt.MaxRedirects)
			}
			if err := f.allowURL(req.URL); err != nil {
				return err
			}
			hops++
			rep.Redirects = append(rep.Redirects, req.URL.String())
			return nil
		},
	}
	if err := f.allowURL(start); err != nil {
		return fail(rep, err)
	}
	cur := start
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cur.String(), nil)
		if err != nil {
			return fail(rep, err)
		}
		req.Header.Set("User-Agent", f.opt.UserAgent)
		req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5,*/*;q=0.1")
		req.Header.Set("Accept-Language", "ja,en;q=0.9,*;q=0.5")
		resp, err := client.Do(req)
		if err != nil {
			return fail(rep, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, f.opt.MaxBytes))
		resp.Body.Close()
		final := resp.Request.URL
		rep.Status, rep.FinalURL, rep.FinalDomain = resp.StatusCode, final.String(), registrable(final.Hostname())
		if err != nil && len(body) == 0 {
			return fail(rep, err)
		}
		page := ParsePage(body, resp.Header.Get("Content-Type"), final)
		if page.Refresh != "" && resp.StatusCode < 400 && hops < f.opt.MaxRedirects {
			next, err := url.Parse(page.Refresh)
			if err == nil && next.String() != final.String() {
				if err := f.allowURL(next); err != nil {
					return fail(rep, err)
				}
				hops++
				rep.Redirects = append(rep.Redirects, next.String())
				cur = next
				continue
			}
		}
		rep.Title, rep.SiteName, rep.Description = page.Title, page.SiteName, page.Description
		rep.Headings, rep.Copyright, rep.Text, rep.LinkedHosts = page.Headings, page.Copyright, page.Text, page.LinkedHosts
		if resp.StatusCode >= 400 {
			rep.Failure, rep.Error = screening.SiteUnreachable, fmt.Sprintf("status %d", resp.StatusCode)
			rep.Transient = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable
			return rep, kindOther
		}
		return rep, kindNone
	}
}

// allowURL checks a URL before it is requested (the first and every redirect).
func (f *Fetcher) allowURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &RefusedError{Addr: u.Redacted(), Reason: fmt.Sprintf("scheme %q is not http or https", u.Scheme)}
	}
	if u.User != nil {
		return &RefusedError{Addr: u.Redacted(), Reason: "user information in URL"}
	}
	if u.Hostname() == "" {
		return &RefusedError{Addr: u.Redacted(), Reason: "no host"}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return f.allowPort(u.Hostname(), port)
}

func (f *Fetcher) allowPort(host, port string) error {
	if f.opt.AllowPrivate || f.ports[port] {
		return nil
	}
	return &RefusedError{Host: host, Addr: net.JoinHostPort(host, port), Reason: "port " + port + " not allowed"}
}

// dialContext resolves the host itself and connects only to allowed addresses;
// control checks the address again on the socket about to connect.
func (f *Fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &RefusedError{Addr: addr, Reason: "network " + network + " not allowed"}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	if err := f.allowPort(host, port); err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{a}
	} else {
		ips, err = f.opt.LookupIP(ctx, host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	var refused, lastErr error
	for _, ip := range ips {
		ip = ip.Unmap()
		if !f.opt.AllowPrivate {
			if r := f.blocked(ip); r != "" {
				refused = &RefusedError{Host: host, Addr: ip.String(), Reason: r}
				continue
			}
		}
		p := port
		if f.dialPort != nil {
			p = f.dialPort(port)
		}
		conn, err := f.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), p))
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, refused
}

// control runs on the socket before it connects: the last word on the address.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	if f.opt.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Addr: address, Reason: "not an IP address and port"}
	}
	if r := f.blocked(ap.Addr()); r != "" {
		return &RefusedError{Addr: ap.Addr().String(), Reason: r}
	}
	return nil
}

// fail records a failed request in the report, classifying the error.
func fail(rep screening.SiteReport, err error) (screening.SiteReport, failureKind) {
	kind := kindOther
	rep.Failure = screening.SiteUnreachable
	var (
		refused  *RefusedError
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		alertErr tls.AlertError
		recErr   tls.RecordHeaderError
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		invErr   x509.CertificateInvalidError
		netErr   net.Error
	)
	switch {
	case errors.As(err, &refused):
		rep.Error = refused.Error()
	case errors.As(err, &dnsErr):
		kind = kindDNS
		rep.Failure = screening.SiteUnresolvable
		rep.Error = "no address for " + dnsErr.Name
		if !dnsErr.IsNotFound {
			rep.Error = "DNS look-up of " + dnsErr.Name + " failed: " + dnsErr.Err
			rep.Transient = true
		}
	case errors.As(err, &certErr), errors.As(err, &alertErr), errors.As(err, &recErr),
		errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invErr),
		// net/http turns a plain-HTTP answer to a TLS hello into a bare error.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"),
		strings.Contains(err.Error(), "tls: "):
		kind = kindTLS
		rep.Error = "TLS: " + innermost(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		kind = kindRefused
		rep.Error = "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		rep.Error = "timed out"
		rep.Transient = true
	case errors.Is(err, context.Canceled):
		rep.Error = "cancelled"
		rep.Transient = true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		rep.Error = "network unreachable"
		rep.Transient = true
	default:
		rep.Error = innermost(err)
	}
	return rep, kind
}

// innermost drops url.Error's `Get "https://...":` prefix.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// registrable returns the registrable domain of a host (abc.co.jp for
// www.abc.co.jp), the host itself for addresses and unknown suffixes.
func registrable(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return host
	}
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		host = ascii
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}
