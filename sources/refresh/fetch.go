package refresh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"strconv"
	"time"
)

// Defaults for zero Fetcher fields.
const (
	DefaultMaxBytes  = 512 << 20 // the largest list file published today is about 100 MB
	DefaultPageBytes = 4 << 20
	DefaultAttempts  = 3
	DefaultBackoff   = 2 * time.Second
	DefaultTimeout   = 10 * time.Minute // one request, body included: 100 MB at 170 KB/s
	DefaultUserAgent = "Hikiai/1.0 (denied-party list refresh)"
	maxRetryAfter    = time.Minute
)

// Fetcher downloads list files. The URLs come from the catalogue, which the
// operator writes, so unlike the website check it may reach internal hosts
// (a mirror); what it guards against is a download that never ends, a file
// larger than any list, and a redirect from https down to http.
type Fetcher struct {
	Client    *http.Client // nil: a client with the environment's proxy
	MaxBytes  int64
	PageBytes int64
	Attempts  int           // tries for a network error, 429 or 5xx
	Backoff   time.Duration // wait before the second try; doubled after
	Timeout   time.Duration // one request, body included, so that a stalled download ends
	UserAgent string
	Sleep     func(ctx context.Context, d time.Duration) error // tests
}

// Validators are what a server gave to ask it later whether a file changed.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Download is a fetched file, or the news that it did not change.
type Download struct {
	NotModified bool
	Path        string // where the body was written (empty when NotModified)
	Size        int64
	SHA256      string
	Validators  Validators
}

// StatusError is an HTTP answer other than 200 or 304.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: time.Minute,
			IdleConnTimeout:       time.Minute,
		},
		CheckRedirect: noDowngrade,
	}
}

// noDowngrade follows at most 10 redirects and never from https to http,
// which would let anyone on the path replace the list.
func noDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("more than 10 redirects")
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect from https to %s refused", req.URL.Redacted())
	}
	return nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Get downloads url into a new file in dir. With validators it asks for the
// file only if it changed, and a 304 comes back as NotModified.
func (f *Fetcher) Get(ctx context.Context, url string, v Validators, dir string) (*Download, error) {
	var d *Download
	err := f.try(ctx, url, v, func(resp *http.Response) error {
		var err error
		d, err = f.save(resp, url, dir)
		return err
	})
	if errors.Is(err, errNotModified) {
		return &Download{NotModified: true, Validators: v}, nil
	}
	return d, err
}

// Page reads a web page whole (bounded), for finding a link in it.
func (f *Fetcher) Page(ctx context.Context, url string) ([]byte, error) {
	var body []byte
	err := f.try(ctx, url, Validators{}, func(resp *http.Response) error {
		limit := orDefault(f.PageBytes, DefaultPageBytes)
		b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return fmt.Errorf("GET %s: %w", url, err)
		}
		if int64(len(b)) > limit {
			return fmt.Errorf("GET %s: page larger than %d bytes", url, limit)
		}
		body = b
		return nil
	})
	return body, err
}

// try sends the request, retrying what may pass (network errors, 429, 5xx),
// and hands a 200 to use. A 304 to a conditional request is errNotModified.
func (f *Fetcher) try(ctx context.Context, url string, v Validators, use func(*http.Response) error) error {
	attempts := orDefault(f.Attempts, DefaultAttempts)
	wait := orDefault(f.Backoff, DefaultBackoff)
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := f.sleep(ctx, wait); err != nil {
				return fmt.Errorf("%w (after: %v)", err, last)
			}
			wait *= 2
		}
		retry, after, err := f.once(ctx, url, v, use)
		if err == nil || !retry {
			return err
		}
		last = err
		if after > 0 {
			wait = min(after, maxRetryAfter)
		}
	}
	return fmt.Errorf("%w (gave up after %d tries)", last, attempts)
}

func (f *Fetcher) once(ctx context.Context, url string, v Validators, use func(*http.Response) error) (retry bool, after time.Duration, err error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, orDefault(f.Timeout, DefaultTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, 0, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("User-Agent", orString(f.UserAgent, DefaultUserAgent))
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client().Do(req)
	if err != nil {
		var uerr *neturl.Error // it repeats the URL
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return parent.Err() == nil, 0, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		err := use(resp)
		var cut bodyError
		return errors.As(err, &cut) && parent.Err() == nil, 0, err
	case resp.StatusCode == http.StatusNotModified && (v.ETag != "" || v.LastModified != ""):
		return false, 0, errNotModified
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, retryAfter(resp.Header.Get("Retry-After")), &StatusError{URL: url, Status: resp.StatusCode}
	}
	return false, 0, &StatusError{URL: url, Status: resp.StatusCode}
}

var errNotModified = errors.New("not modified")

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}

func (f *Fetcher) sleep(ctx context.Context, d time.Duration) error {
	if f.Sleep != nil {
		return f.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// save writes the body to a new file in dir, hashing it on the way, and
// removes the file again if the body is cut short or too large.
func (f *Fetcher) save(resp *http.Response, url, dir string) (d *Download, err error) {
	limit := orDefault(f.MaxBytes, DefaultMaxBytes)
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("GET %s: %d bytes, more than the %d allowed", url, resp.ContentLength, limit)
	}
	out, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("GET %s: write %s: %w", url, out.Name(), cerr)
		}
		if err != nil {
			os.Remove(out.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(bodyReader{resp.Body}, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: after %d bytes: %w", url, n, err)
	}
	if n > limit {
		return nil, fmt.Errorf("GET %s: more than the %d bytes allowed", url, limit)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, fmt.Errorf("GET %s: %w", url, bodyError{fmt.Errorf("%d of %d bytes", n, resp.ContentLength)})
	}
	if n == 0 {
		return nil, fmt.Errorf("GET %s: empty body", url)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("GET %s: sync %s: %w", url, out.Name(), err)
	}
	return &Download{
		Path: out.Name(), Size: n, SHA256: hex.EncodeToString(h.Sum(nil)),
		Validators: Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
	}, nil
}

func orString(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// bodyError is a body cut short (a reset, a stall past the timeout): worth
// another try, unlike a file that is too large or a disk that is full.
type bodyError struct{ error }

func (e bodyError) Unwrap() error { return e.error }

type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}
