// Package web serves Hikiai's pages for people: sign-in with an API key, the
// inquiry check for sales staff, the reviewers' queue and case pages, and the
// counterparty view. Pages are rendered on the server with html/template from
// files embedded in the binary and work without JavaScript; a small script
// only adds type-ahead on company names. Japanese is the default language,
// English a switch away.
//
// The package does not decide anything: screenings, decisions and
// suppressions go through Actions, which the api package implements with the
// same steps as its JSON handlers.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Actions are the steps the pages take that change something. The api package
// implements them with the same code paths as POST /v1/screenings,
// /v1/cases/{id}/decision and /v1/cases/{id}/suppressions, so that audit
// records and webhook events are the same whichever face was used.
type Actions interface {
	// Screen screens an inquiry on behalf of k (EINVALID with fields, ECONFLICT, ...).
	Screen(ctx context.Context, k *screening.APIKey, inq screening.Inquiry) (*screening.Screening, error)
	// Decide records a reviewer's decision (clear, reject, escalate) with a reason.
	Decide(ctx context.Context, k *screening.APIKey, caseID, decision, reason string) (*screening.Case, error)
	// Suppress marks a denied_party hit of a case as a false positive.
	Suppress(ctx context.Context, k *screening.APIKey, caseID, entryKey, party, reason string) error
}

// Options wire the pages.
type Options struct {
	Store    screening.Store
	Lists    *screening.Lists
	Settings *screening.Settings // scoring bands for the gauge
	// Cache holds sessions and sign-in counters. Use the shared (Redis) cache
	// when several replicas serve the pages; nil means an in-process cache.
	Cache   screening.Cache
	Actions Actions
	// KeyByHash finds the API key whose secret hashes to hash (ENOTFOUND when
	// none); HashSecret is how secrets are hashed. The api package passes its
	// short-lived key cache, so a revoked key stops working within seconds.
	KeyByHash  func(ctx context.Context, hash string) (*screening.APIKey, error)
	HashSecret func(secret string) string
	Log        *slog.Logger
	Now        func() time.Time
	// SessionTTL is how long a sign-in lasts (default 8 h: one working day).
	SessionTTL time.Duration
}

// UI is the set of pages.
type UI struct {
	o        Options
	pages    map[string]*template.Template
	assets   map[string]asset
	suggests *nameSource
}

type asset struct {
	body        []byte
	contentType string
	version     string // short content hash, appended to URLs so browsers may cache forever
}

// pageNames are the templates in templates/, one page each.
var pageNames = []string{"signin", "check", "result", "screenings", "search", "counterparty", "cases", "case", "error"}

// New parses the embedded templates and assets. It fails only when they are
// broken, which the package tests catch.
func New(o Options) (*UI, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Lists == nil {
		o.Lists = &screening.Lists{}
	}
	if o.Cache == nil {
		o.Cache = memcache.New(memcache.Options{Now: o.Now})
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	switch {
	case o.Store == nil:
		return nil, fmt.Errorf("web: Options.Store is required")
	case o.Actions == nil:
		return nil, fmt.Errorf("web: Options.Actions is required")
	case o.KeyByHash == nil || o.HashSecret == nil:
		return nil, fmt.Errorf("web: Options.KeyByHash and HashSecret are required")
	}
	u := &UI{o: o, pages: map[string]*template.Template{}, assets: map[string]asset{}}
	u.suggests = newNameSource(o.Store, o.Lists, o.Now, o.Log)
	err := fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(path, "static/")
		u.assets[name] = asset{body: b, contentType: contentType(name), version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read static assets: %w", err)
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(u.funcs()).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// Mount registers the pages: "/" sends people to /ui/, everything else lives
// under /ui/ (so that the OpenAPI document, which describes /v1, leaves it out).
func (u *UI) Mount(r gin.IRouter) {
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/ui/") })
	ui := r.Group("/ui", u.secureHeaders)
	// Assets need no session: the sign-in page is styled even when the
	// session cache cannot be reached.
	ui.GET("/static/:file", u.serveAsset)
	g := ui.Group("", limitForm, u.loadSession)
	g.GET("/", u.home)
	g.GET("/signin", u.signinPage)
	g.POST("/signin", u.signin)
	g.POST("/signout", u.needCSRF, u.signout)
	g.GET("/lang", u.switchLang)

	const (
		sales    = screening.RoleSales
		reviewer = screening.RoleReviewer
		admin    = screening.RoleAdmin
	)
	g.GET("/check", u.need(sales, admin), u.checkPage)
	g.POST("/check", u.need(sales, admin), u.needCSRF, u.check)
	g.GET("/screenings", u.need(sales, reviewer, admin), u.screeningsPage)
	g.GET("/screenings/:id", u.need(sales, reviewer, admin), u.resultPage)
	g.GET("/search", u.need(sales, reviewer, admin), u.searchPage)
	g.GET("/suggest", u.need(sales, reviewer, admin), u.suggest)
	g.GET("/counterparty", u.need(sales, reviewer, admin), u.counterpartyPage)
	g.GET("/cases", u.need(reviewer, admin), u.casesPage)
	g.GET("/cases/:id", u.need(reviewer, admin), u.casePage)
	g.POST("/cases/:id/decision", u.need(reviewer, admin), u.needCSRF, u.decide)
	g.POST("/cases/:id/suppressions", u.need(reviewer, admin), u.needCSRF, u.suppress)
}

// secureHeaders keeps pages out of frames and caches and lets the browser run
// only our own script and styles.
func (u *UI) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(c.Request.URL.Path, "/ui/static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// maxFormBytes bounds a posted form; the inquiry form is the largest and stays
// far below.
const maxFormBytes = 256 << 10

func limitForm(c *gin.Context) {
	if c.Request.Method == http.MethodPost {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	}
	c.Next()
}

func (u *UI) serveAsset(c *gin.Context) {
	a, ok := u.assets[c.Param("file")]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	if c.Query("v") == a.version {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Data(http.StatusOK, a.contentType, a.body)
}

// AssetURL is the versioned URL of a static file (templates call it).
func (u *UI) AssetURL(name string) string {
	return "/ui/static/" + name + "?v=" + u.assets[name].version
}

// page is what every template gets: the language, the signed-in user and the
// CSRF token for its forms, and the page's own data in Data.
type page struct {
	L     lang
	User  *session
	CSRF  string
	Title string
	Nav   string // which navigation item is current
	Path  string // this page's path and query, for the language switch
	Data  any
	UI    *UI
}

// render writes a page. A template error after the first byte would leave a
// half page, so pages render into a buffer first.
func (u *UI) render(c *gin.Context, status int, name, title, nav string, data any) {
	p := page{L: langOf(c), User: sessionOf(c), Title: title, Nav: nav, Path: c.Request.URL.RequestURI(), Data: data, UI: u}
	if p.User != nil {
		p.CSRF = p.User.CSRF
	}
	var buf bytes.Buffer
	if err := u.pages[name].Execute(&buf, p); err != nil {
		u.o.Log.Error("render page", slog.String("page", name), slog.Any("err", err))
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorView is the data of the error page.
type errorView struct {
	Message   string
	RequestID string
	Back      string
}

// fail shows err as a page in the user's language. Internal errors are logged
// and shown only as "something went wrong" with the request id.
func (u *UI) fail(c *gin.Context, err error) {
	l := langOf(c)
	code := screening.ErrorCode(err)
	status := http.StatusInternalServerError
	msg := l.T("error.internal")
	switch code {
	case screening.ENOTFOUND:
		status, msg = http.StatusNotFound, l.T("error.notfound")
	case screening.EFORBIDDEN:
		status, msg = http.StatusForbidden, l.T("error.forbidden")
	case screening.EUNAVAILABLE:
		status, msg = http.StatusServiceUnavailable, l.T("error.unavailable")
		c.Header("Retry-After", "5")
	case screening.ECONFLICT:
		status, msg = http.StatusConflict, screening.ErrorMessage(err)
	case screening.EINVALID, screening.EUNPROCESSABLE:
		status, msg = http.StatusUnprocessableEntity, screening.ErrorMessage(err)
	}
	if status >= 500 {
		u.o.Log.Error("web page failed", slog.String("path", c.FullPath()), slog.String("request_id", c.Writer.Header().Get("X-Request-ID")), slog.Any("err", err))
	}
	u.render(c, status, "error", l.T("error.title"), "", errorView{Message: msg, RequestID: c.Writer.Header().Get("X-Request-ID"), Back: "/ui/"})
	c.Abort()
}

// home sends a signed-in person to the page of their role: sales staff to the
// check form, reviewers and admins to the queue.
func (u *UI) home(c *gin.Context) {
	s := sessionOf(c)
	if s == nil {
		c.Redirect(http.StatusSeeOther, "/ui/signin")
		return
	}
	if s.Role == screening.RoleSales {
		c.Redirect(http.StatusSeeOther, "/ui/check")
		return
	}
	c.Redirect(http.StatusSeeOther, "/ui/cases")
}
