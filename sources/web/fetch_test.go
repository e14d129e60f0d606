package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func TestBlockedReason(t *testing.T) {
	blocked := []string{
		"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "169.254.1.1",
		"100.64.0.1", "100.100.100.200", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255",
		"240.0.0.1", "192.0.0.192", "198.18.0.1", "192.0.2.1", "203.0.113.9",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1", "ff05::2",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:db8::1", "2001::1", "fec0::1",
	}
	for _, s := range blocked {
		if r := blockedReason(netip.MustParseAddr(s)); r == "" {
			t.Errorf("%s is allowed, want refused", s)
		}
	}
	public := []string{"93.184.216.34", "8.8.8.8", "1.1.1.1", "133.242.0.1", "100.63.255.255", "100.128.0.1",
		"2606:4700::1111", "2001:4860:4860::8888", "::ffff:93.184.216.34", "64:ff9b::808:808", "2002:5db8:d822::1"}
	for _, s := range public {
		if r := blockedReason(netip.MustParseAddr(s)); r != "" {
			t.Errorf("%s is refused (%s), want allowed", s, r)
		}
	}
	if r := blockedReason(netip.Addr{}); r == "" {
		t.Error("the zero address is allowed")
	}
}

// testFetcher builds a fetcher for tests: names in hosts resolve to their
// address, other names do not exist.
func testFetcher(t *testing.T, o Options, hosts map[string]string) *Fetcher {
	t.Helper()
	o.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if a, ok := hosts[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	f, err := NewFetcher(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func serverPort(t *testing.T, srv *httptest.Server) (string, int) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	p, _ := strconv.Atoi(u.Port())
	return u.Port(), p
}

// TestRefusesInternalAddresses: with the test switch off, no internal address is
// reached, whether written in the URL, resolved from a name, or redirected to.
func TestRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "<title>internal admin</title>")
	}))
	defer srv.Close()
	port, portN := serverPort(t, srv)
	f := testFetcher(t, Options{AllowedPorts: []int{80, 443, portN}, Timeout: 2 * time.Second}, map[string]string{
		"loopback.test": "127.0.0.1", "private.test": "10.0.0.1", "metadata.test": "169.254.169.254",
		"v6loop.test": "::1", "mapped.test": "::ffff:127.0.0.1", "nat64.test": "64:ff9b::7f00:1",
	})
	for _, raw := range []string{
		"http://127.0.0.1:" + port + "/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
		"http://[::1]:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/", "http://0.0.0.0:" + port + "/",
		"http://loopback.test:" + port + "/", "http://private.test/", "http://metadata.test/",
		"http://v6loop.test:" + port + "/", "http://mapped.test:" + port + "/", "http://nat64.test/",
	} {
		rep, err := f.Probe(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if rep.Failure != screening.SiteUnreachable || !strings.HasPrefix(rep.Error, "refused") || rep.Transient {
			t.Errorf("%s: failure %q, error %q, transient %v; want unreachable, refused", raw, rep.Failure, rep.Error, rep.Transient)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// TestRefusesRedirectsInward: a public first hop (played by 127.0.0.1, which this
// test's policy alone lets through) redirecting to an internal address, to a
// name resolving to one, to another port or scheme, is refused at that hop.
func TestRefusesRedirectsInward(t *testing.T) {
	var inner atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/internal", func(w http.ResponseWriter, r *http.Request) { inner.Add(1) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	port, portN := serverPort(t, srv)
	f := testFetcher(t, Options{AllowedPorts: []int{80, 443, portN}, Timeout: 2 * time.Second}, map[string]string{
		"public.test": "127.0.0.1", "internal.test": "10.0.0.1", "loopback2.test": "127.0.0.2",
	})
	f.blocked = func(a netip.Addr) string {
		if a == netip.MustParseAddr("127.0.0.1") {
			return ""
		}
		return blockedReason(a)
	}
	for _, to := range []string{
		"http://127.0.0.2:" + port + "/internal", "http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/",
		"http://[::1]:" + port + "/internal", "http://internal.test/internal", "http://loopback2.test:" + port + "/internal",
		"http://public.test:8080/internal", "ftp://public.test/internal", "file:///etc/passwd",
		"http://user:pw@public.test:" + port + "/internal",
	} {
		raw := "http://public.test:" + port + "/?to=" + url.QueryEscape(to)
		rep, err := f.Probe(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		if rep.Failure != screening.SiteUnreachable || !strings.Contains(rep.Error, "refused") {
			t.Errorf("redirect to %s: failure %q, error %q; want unreachable, refused", to, rep.Failure, rep.Error)
		}
	}
	if n := inner.Load(); n != 0 {
		t.Errorf("the internal path was reached %d times", n)
	}
}

// TestRefusesRebinding: a name that resolved to a public address for the first
// connection and to an internal one for the next is refused on the next.
func TestRefusesRebinding(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // the redirect needs a new connection, so a new look-up
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/second", http.StatusFound)
			return
		}
		fmt.Fprint(w, "<title>internal</title>")
	}))
	defer srv.Close()
	_, portN := serverPort(t, srv)
	var lookups atomic.Int32
	f, err := NewFetcher(Options{AllowedPorts: []int{portN}, LookupIP: func(ctx context.Context, host string) ([]netip.Addr, error) {
		if lookups.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil // "public" in this test
		}
		return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.blocked = func(a netip.Addr) string {
		if a == netip.MustParseAddr("127.0.0.1") {
			return ""
		}
		return blockedReason(a)
	}
	rep, _ := f.Probe(context.Background(), "http://rebind.test:"+strconv.Itoa(portN)+"/")
	if rep.Failure != screening.SiteUnreachable || !strings.Contains(rep.Error, "10.1.2.3") || lookups.Load() != 2 {
		t.Errorf("rebinding: failure %q, error %q after %d look-ups; want refused 10.1.2.3 after 2", rep.Failure, rep.Error, lookups.Load())
	}
}

func TestControlChecksConnectedAddress(t *testing.T) {
	f := testFetcher(t, Options{}, nil)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "[::ffff:10.0.0.1]:80", "169.254.169.254:80", "[fe80::1%lo]:80", "nonsense"} {
		var refused *RefusedError
		if err := f.control("tcp", addr, nil); !errors.As(err, &refused) {
			t.Errorf("control(%s) = %v, want refused", addr, err)
		}
	}
	if err := f.control("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
	open := testFetcher(t, Options{AllowPrivate: true}, nil)
	if err := open.control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("with AllowPrivate, control(127.0.0.1) = %v", err)
	}
}

func TestPortsAndSchemes(t *testing.T) {
	f := testFetcher(t, Options{}, map[string]string{"example.test": "93.184.216.34"})
	for _, raw := range []string{"http://example.test:8080/", "https://example.test:22/", "http://example.test:0/"} {
		rep, err := f.Probe(context.Background(), raw)
		if err != nil || rep.Failure != screening.SiteUnreachable || !strings.Contains(rep.Error, "not allowed") {
			t.Errorf("%s: %v, failure %q, error %q; want port not allowed", raw, err, rep.Failure, rep.Error)
		}
	}
	for _, raw := range []string{"ftp://example.test/", "javascript:alert(1)", "http:///nohost", "http://%zz/"} {
		if _, err := f.Probe(context.Background(), raw); err == nil {
			t.Errorf("%s: probed, want an error", raw)
		}
	}
}

// site serves named test sites from one httptest server: every name resolves
// to 127.0.0.1, ports 80 and 443 go to the server, and the handler picks the
// site by Host.
type site struct {
	srv   *httptest.Server
	port  string
	f     *Fetcher
	mu    sync.Mutex
	agent string
}

func newSites(t *testing.T, o Options, handler func(s *site, w http.ResponseWriter, r *http.Request)) *site {
	t.Helper()
	s := &site{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.agent = r.UserAgent()
		s.mu.Unlock()
		handler(s, w, r)
	}))
	t.Cleanup(s.srv.Close)
	s.port, _ = serverPort(t, s.srv)
	o.AllowPrivate = true
	o.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if strings.HasPrefix(host, "nx") {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		if strings.HasPrefix(host, "servfail") {
			return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	f, err := NewFetcher(o)
	if err != nil {
		t.Fatal(err)
	}
	f.dialPort = func(p string) string {
		if p == "80" || p == "443" {
			return s.port
		}
		return p
	}
	t.Cleanup(f.Close)
	s.f = f
	return s
}

func TestProbe(t *testing.T) {
	s := newSites(t, Options{UserAgent: "HikiaiTest/1"}, func(s *site, w http.ResponseWriter, r *http.Request) {
		switch host, _, _ := strings.Cut(r.Host, ":"); host + r.URL.Path {
		case "chain.test/":
			http.Redirect(w, r, "/a", http.StatusMovedPermanently)
		case "chain.test/a":
			http.Redirect(w, r, "http://www.chain.test/b", http.StatusFound)
		case "www.chain.test/b":
			fmt.Fprint(w, `<html><head><meta http-equiv="refresh" content="0; url=/jp/"></head></html>`)
		case "www.chain.test/jp/":
			fmt.Fprint(w, `<title>Chain Co., Ltd.</title><h1>Welcome</h1>`)
		case "loop.test/":
			http.Redirect(w, r, "/", http.StatusFound)
		case "gone.test/":
			http.Error(w, "<title>Not Found</title>", http.StatusNotFound)
		case "huge.test/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!--")
			pad := strings.Repeat("x", 64<<10)
			for range 48 { // 3 MiB of comment before the title
				fmt.Fprint(w, pad)
			}
			fmt.Fprint(w, "--><title>Late</title>")
		case "slow.test/":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		default:
			fmt.Fprintf(w, "<title>%s</title>", host)
		}
	})
	tests := []struct {
		name, url     string
		failure       string
		transient     bool
		final, title  string
		redirects     int
		status        int
		errorContains string
	}{
		{name: "redirect chain with meta refresh", url: "http://chain.test/", final: "http://www.chain.test/jp/", title: "Chain Co., Ltd.", redirects: 3, status: 200},
		{name: "bare host falls back to http", url: "plain.test", final: "http://plain.test", title: "plain.test", status: 200},
		{name: "redirect loop", url: "http://loop.test/", failure: screening.SiteUnreachable, errorContains: "more than 5 redirects"},
		{name: "status 404", url: "http://gone.test/", failure: screening.SiteUnreachable, status: 404, errorContains: "status 404"},
		{name: "body read at most max bytes", url: "http://huge.test/", title: "", status: 200, final: "http://huge.test/"},
		{name: "no such host", url: "http://nx.test/", failure: screening.SiteUnresolvable, errorContains: "no address for nx.test"},
		{name: "DNS server failure", url: "http://servfail.test/", failure: screening.SiteUnresolvable, transient: true},
		{name: "connection refused", url: "http://127.0.0.1:1/", failure: screening.SiteUnreachable, errorContains: "connection refused"},
		{name: "TLS to a plain server", url: "https://tls.test/", failure: screening.SiteUnreachable, errorContains: "TLS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := s.f.Probe(context.Background(), tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failure != tc.failure || rep.Transient != tc.transient || rep.Title != tc.title ||
				(tc.final != "" && rep.FinalURL != tc.final) || (tc.status != 0 && rep.Status != tc.status) ||
				(tc.redirects != 0 && len(rep.Redirects) != tc.redirects) || !strings.Contains(rep.Error, tc.errorContains) {
				t.Errorf("got failure %q transient %v title %q final %q status %d redirects %q error %q",
					rep.Failure, rep.Transient, rep.Title, rep.FinalURL, rep.Status, rep.Redirects, rep.Error)
			}
		})
	}
	s.mu.Lock()
	if s.agent != "HikiaiTest/1" {
		t.Errorf("user agent %q", s.agent)
	}
	s.mu.Unlock()

	t.Run("deadline", func(t *testing.T) {
		quick := newSites(t, Options{Timeout: 300 * time.Millisecond}, func(s *site, w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		})
		start := time.Now()
		rep, _ := quick.f.Probe(context.Background(), "http://slow.test/")
		if took := time.Since(start); took > 2*time.Second || rep.Failure != screening.SiteUnreachable || rep.Error != "timed out" || !rep.Transient {
			t.Errorf("slow site after %s: failure %q error %q transient %v", took, rep.Failure, rep.Error, rep.Transient)
		}
	})
}

func TestRegistrable(t *testing.T) {
	for host, want := range map[string]string{
		"www.abc.co.jp": "abc.co.jp", "abc.co.jp": "abc.co.jp", "mail.abc.com.cn": "abc.com.cn",
		"WWW.Example.COM.": "example.com", "127.0.0.1": "127.0.0.1", "日本.jp": "xn--wgv71a.jp", "shop.abc.tokyo.jp": "abc.tokyo.jp",
	} {
		if got := registrable(host); got != want {
			t.Errorf("registrable(%s) = %s, want %s", host, got, want)
		}
	}
}

// TestOffline: with the system resolver and a name that cannot resolve (what an
// offline machine sees for every name), the probe ends quickly.
func TestOffline(t *testing.T) {
	f, err := NewFetcher(Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, _ := f.Probe(context.Background(), "http://hikiai-offline-test.invalid/")
	if took := time.Since(start); took > 3*time.Second || rep.Failure != screening.SiteUnresolvable {
		t.Errorf("after %s: failure %q error %q, want unresolvable within the deadline", took, rep.Failure, rep.Error)
	}
}
