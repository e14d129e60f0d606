package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// Sessions. Signing in with an API key makes a session: a random 256-bit
// token goes to the browser in an HttpOnly, SameSite=Lax cookie (Secure over
// TLS); the server keeps only the SHA-256 of the token, as the cache key of a
// record naming the API key (by the hash of its secret), its role, a CSRF token
// and the expiry. The record lives in Options.Cache, so replicas sharing Redis
// share sessions, and it expires by itself. The API key secret is never kept.
// Every request re-reads the key through the API's key cache, so revoking the
// key ends its sessions within seconds.

const (
	sessionCookie  = "hikiai_session"
	preCSRFCookie  = "hikiai_signin" // double-submit token of the sign-in form (no session yet)
	langCookie     = "hikiai_lang"
	ctxSession     = "hikiai.web.session"
	sessionPrefix  = "web:session:"
	signinPrefix   = "web:signin:"
	signinLimit    = 30 // attempts per minute per client address
	signedOutValue = `{"signed_out":true}`
)

// session is the server-side record of a sign-in.
type session struct {
	KeyID     string    `json:"key_id"`
	KeyHash   string    `json:"key_hash"` // hash of the API key secret, to re-check revocation
	KeyName   string    `json:"key_name"`
	Role      string    `json:"role"`
	CSRF      string    `json:"csrf"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	SignedOut bool      `json:"signed_out,omitempty"`

	key *screening.APIKey // loaded on each request
}

// Is reports whether the session's role is one of roles.
func (s *session) Is(roles ...string) bool { return s != nil && slices.Contains(roles, s.Role) }

// CanCheck reports whether the role may screen inquiries.
func (s *session) CanCheck() bool { return s.Is(screening.RoleSales, screening.RoleAdmin) }

// CanReview reports whether the role may see the queue and decide cases.
func (s *session) CanReview() bool { return s.Is(screening.RoleReviewer, screening.RoleAdmin) }

func sessionOf(c *gin.Context) *session {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*session)
	}
	return nil
}

// randomToken is 256 random bits, URL-safe.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return sessionPrefix + hex.EncodeToString(sum[:])
}

func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// secureRequest reports whether the browser reached us over TLS (directly or
// through a proxy that says so), so that cookies get the Secure attribute.
func secureRequest(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

func setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/ui", MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(c), SameSite: http.SameSiteLaxMode,
	})
}

// loadSession puts the session of the request's cookie (if any and still
// valid) on the context. A lookup failure of the cache or the key store is an
// error page, not a silent sign-out.
func (u *UI) loadSession(c *gin.Context) {
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		c.Next()
		return
	}
	ctx := c.Request.Context()
	raw, ok, err := u.o.Cache.Get(ctx, sessionKey(ck.Value))
	if err != nil {
		u.fail(c, fmt.Errorf("read session: %w", err))
		return
	}
	var s session
	if ok {
		if err := json.Unmarshal(raw, &s); err != nil {
			u.o.Log.Warn("unreadable session record", slog.Any("err", err))
			ok = false
		}
	}
	if !ok || s.SignedOut || s.KeyHash == "" || !u.o.Now().Before(s.Expires) {
		setCookie(c, sessionCookie, "", -1)
		c.Next()
		return
	}
	k, err := u.o.KeyByHash(ctx, s.KeyHash)
	switch {
	case screening.ErrorCode(err) == screening.ENOTFOUND || (err == nil && (k.RevokedAt != nil || k.Role != s.Role)):
		setCookie(c, sessionCookie, "", -1)
		c.Next()
		return
	case err != nil:
		u.fail(c, fmt.Errorf("look up the session's key: %w", err))
		return
	}
	s.key = k
	c.Set(ctxSession, &s)
	c.Next()
}

// need lets only signed-in people with one of roles through. Someone not
// signed in is sent to the sign-in page and brought back afterwards.
func (u *UI) need(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		s := sessionOf(c)
		if s == nil {
			if c.Request.Method == http.MethodGet {
				c.Redirect(http.StatusSeeOther, "/ui/signin?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			u.fail(c, screening.Errorf(screening.EFORBIDDEN, "not signed in"))
			return
		}
		if !slices.Contains(roles, s.Role) {
			u.fail(c, screening.Errorf(screening.EFORBIDDEN, "role %s may not open %s", s.Role, c.FullPath()))
			return
		}
		c.Next()
	}
}

// crossOrigin reports whether a browser says the request comes from another
// site. SameSite cookies already keep other sites' forms out; this is the
// second lock.
func crossOrigin(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if origin == "" || origin == "null" {
		return origin == "null"
	}
	o, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(o.Host, c.Request.Host)
}

// needCSRF checks the form's CSRF token against the session's.
func (u *UI) needCSRF(c *gin.Context) {
	s := sessionOf(c)
	if s == nil {
		u.fail(c, screening.Errorf(screening.EFORBIDDEN, "not signed in"))
		return
	}
	if crossOrigin(c) || !sameToken(c.PostForm("csrf"), s.CSRF) {
		l := langOf(c)
		u.render(c, http.StatusForbidden, "error", l.T("error.title"), "", errorView{Message: l.T("error.csrf"), RequestID: c.Writer.Header().Get("X-Request-ID"), Back: "/ui/"})
		c.Abort()
		return
	}
	c.Next()
}

// signinView is the data of the sign-in page.
type signinView struct {
	Next  string
	Error string
	Token string // the double-submit token of this form
}

func (u *UI) signinPage(c *gin.Context) {
	if sessionOf(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	u.renderSignin(c, http.StatusOK, "")
}

func (u *UI) renderSignin(c *gin.Context, status int, msg string) {
	tok, err := randomToken()
	if err != nil {
		u.fail(c, err)
		return
	}
	setCookie(c, preCSRFCookie, tok, 3600)
	next := c.Query("next")
	if c.Request.Method == http.MethodPost {
		next = c.PostForm("next")
	}
	l := langOf(c)
	u.render(c, status, "signin", l.T("signin.title"), "signin", signinView{Next: safeNext(next), Error: msg, Token: tok})
}

// safeNext keeps a redirect target on our own pages.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "/ui/signin") {
		return "/ui/"
	}
	return next
}

// signin checks the API key and starts a session.
func (u *UI) signin(c *gin.Context) {
	l := langOf(c)
	pre, _ := c.Cookie(preCSRFCookie)
	if crossOrigin(c) || !sameToken(c.PostForm("csrf"), pre) {
		u.renderSignin(c, http.StatusForbidden, l.T("signin.expired"))
		return
	}
	ctx := c.Request.Context()
	ok, _, err := u.o.Cache.Allow(ctx, signinPrefix+c.RemoteIP(), signinLimit, time.Minute)
	if err != nil {
		u.fail(c, fmt.Errorf("count sign-in attempts: %w", err))
		return
	}
	if !ok {
		u.renderSignin(c, http.StatusTooManyRequests, l.T("signin.toomany"))
		return
	}
	secret := strings.TrimSpace(c.PostForm("api_key"))
	if secret == "" {
		u.renderSignin(c, http.StatusUnprocessableEntity, l.T("signin.empty"))
		return
	}
	hash := u.o.HashSecret(secret)
	k, err := u.o.KeyByHash(ctx, hash)
	switch {
	case screening.ErrorCode(err) == screening.ENOTFOUND || (err == nil && k.RevokedAt != nil):
		u.renderSignin(c, http.StatusUnauthorized, l.T("signin.bad"))
		return
	case err != nil:
		u.fail(c, fmt.Errorf("look up key: %w", err))
		return
	case k.Role == screening.RoleERP:
		u.renderSignin(c, http.StatusForbidden, l.T("signin.erp"))
		return
	}
	token, err := randomToken()
	if err != nil {
		u.fail(c, err)
		return
	}
	csrf, err := randomToken()
	if err != nil {
		u.fail(c, err)
		return
	}
	now := u.o.Now().UTC()
	s := session{KeyID: k.ID, KeyHash: hash, KeyName: k.Name, Role: k.Role, CSRF: csrf, Created: now, Expires: now.Add(u.o.SessionTTL)}
	raw, err := json.Marshal(s)
	if err != nil {
		u.fail(c, err)
		return
	}
	if err := u.o.Cache.Set(ctx, sessionKey(token), raw, u.o.SessionTTL); err != nil {
		u.fail(c, fmt.Errorf("store session: %w", err))
		return
	}
	u.o.Log.Info("web sign-in", slog.String("key_id", k.ID), slog.String("role", k.Role))
	setCookie(c, sessionCookie, token, int(u.o.SessionTTL/time.Second))
	setCookie(c, preCSRFCookie, "", -1)
	c.Redirect(http.StatusSeeOther, safeNext(c.PostForm("next")))
}

// signout ends the session everywhere: the record is overwritten with a
// tombstone that expires soon after, and the cookie is cleared.
func (u *UI) signout(c *gin.Context) {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := u.o.Cache.Set(c.Request.Context(), sessionKey(ck.Value), []byte(signedOutValue), time.Minute); err != nil {
			u.fail(c, fmt.Errorf("end session: %w", err))
			return
		}
	}
	setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/ui/signin")
}

// switchLang sets the language cookie and goes back to the page.
func (u *UI) switchLang(c *gin.Context) {
	to := c.Query("to")
	if to != "en" {
		to = "ja"
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: to, Path: "/ui", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secureRequest(c), SameSite: http.SameSiteLaxMode})
	back := c.Query("next")
	if strings.HasPrefix(back, "/ui/signin") {
		c.Redirect(http.StatusSeeOther, "/ui/signin")
		return
	}
	c.Redirect(http.StatusSeeOther, safeNext(back))
}
