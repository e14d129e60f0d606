package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/api/webhook"
	"github.com/hikiai/hikiai/screening"
)

// webhookRequest is the body of POST /v1/webhooks.
type webhookRequest struct {
	URL string `json:"url"`
	// Secret signs deliveries; leave it out to have one generated (and shown once).
	Secret string   `json:"secret,omitempty"`
	Events []string `json:"events"`
}

// webhookView is a webhook as the API shows it: never with its secret, except
// a generated one in the answer that created it.
type webhookView struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled,omitempty"`
	// PreviousSecretExpiresAt is set while a rotated secret still signs
	// deliveries beside the new one.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	// Secret is set only in the creation answer when the server generated it.
	Secret string `json:"secret,omitempty"`
}

func viewWebhook(w *screening.Webhook, now time.Time) webhookView {
	v := webhookView{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt, Disabled: w.Disabled}
	if w.PreviousSecret != "" && now.Before(w.PreviousSecretUntil) {
		until := w.PreviousSecretUntil
		v.PreviousSecretExpiresAt = &until
	}
	return v
}

// Bounds of a webhook registration.
const (
	minSecretLen = 16
	maxSecretLen = 256
	maxURLLen    = 2048
)

// createWebhook is POST /v1/webhooks (admin).
func (s *Server) createWebhook(c *gin.Context) {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	events, err := validateWebhook(&req)
	if err != nil {
		fail(c, err)
		return
	}
	generated := req.Secret == ""
	if generated {
		if req.Secret, err = generateSecret(); err != nil {
			fail(c, err)
			return
		}
	}
	now := s.now().UTC()
	w := &screening.Webhook{ID: screening.NewID("wh", now), URL: req.URL, Secret: req.Secret, Events: events, CreatedAt: now}
	k := apiKey(c)
	audit := screening.NewAuditRecord(now, screening.AuditWebhook, k.ID, w.ID, map[string]any{
		"action": "create", "url": redactURL(w.URL), "events": events, "secret_generated": generated,
	})
	if err := s.store.CreateWebhook(c.Request.Context(), w, audit); err != nil {
		fail(c, err)
		return
	}
	v := viewWebhook(w, now)
	if generated {
		v.Secret = req.Secret
	}
	c.Header("Location", "/v1/webhooks/"+w.ID)
	c.JSON(http.StatusCreated, v)
}

// validateWebhook checks the URL, secret and events, naming every bad field,
// and returns the events without repeats.
func validateWebhook(req *webhookRequest) ([]string, error) {
	fields := map[string]string{}
	req.URL = strings.TrimSpace(req.URL)
	if why := checkWebhookURL(req.URL); why != "" {
		fields["url"] = why
	}
	if why := checkWebhookSecret(req.Secret); why != "" {
		fields["secret"] = why
	}
	events := checkWebhookEvents(req.Events, fields)
	if len(fields) > 0 {
		return nil, &screening.Error{Code: screening.EINVALID, Message: "invalid webhook", Fields: fields}
	}
	return events, nil
}

// checkWebhookSecret says what is wrong with a given secret ("" when fine or
// not given).
func checkWebhookSecret(secret string) string {
	if secret == "" {
		return ""
	}
	switch n := utf8.RuneCountInString(secret); {
	case n < minSecretLen:
		return fmt.Sprintf("at least %d characters (or leave it out to have one generated)", minSecretLen)
	case n > maxSecretLen:
		return fmt.Sprintf("at most %d characters", maxSecretLen)
	case strings.ContainsFunc(secret, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "must not contain spaces or control characters"
	}
	return ""
}

// checkWebhookEvents adds what is wrong with the events to fields and returns
// them without repeats.
func checkWebhookEvents(given []string, fields map[string]string) []string {
	var events []string
	if len(given) == 0 {
		fields["events"] = "required: one or more of " + strings.Join(webhook.Events, ", ")
	}
	for i, e := range given {
		if !webhook.KnownEvent(e) {
			fields[fmt.Sprintf("events[%d]", i)] = fmt.Sprintf("%q is not one of %s", e, strings.Join(webhook.Events, ", "))
		} else if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	return events
}

// generateSecret makes a webhook secret for an admin who gave none.
func generateSecret() (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// webhookPatch is the body of PATCH /v1/webhooks/{id}: the fields to change,
// the others left out.
type webhookPatch struct {
	URL    *string  `json:"url"`
	Events []string `json:"events"` // nil when left out; [] is refused
	// Disabled stops deliveries: events while disabled are not sent later,
	// and pending deliveries fail at their next attempt.
	Disabled *bool `json:"disabled"`
	// Secret replaces the signing secret; RotateSecret has one generated and
	// shown in this answer only. Deliveries from then on are signed with the
	// new one.
	Secret       string `json:"secret"`
	RotateSecret bool   `json:"rotate_secret"`
	// KeepPreviousSecret, with secret or rotate_secret, keeps the secret
	// being replaced signing deliveries beside the new one for this long
	// (a Go duration, 1m to 168h), so that the receiver can switch to the
	// new secret at its own time; every delivery then carries two v1 MACs.
	KeepPreviousSecret string `json:"keep_previous_secret"`
}

// Bounds of keep_previous_secret: long enough for a change window at the
// receiver, short enough that a leaked secret does not stay good for long.
const (
	minKeepPreviousSecret = time.Minute
	maxKeepPreviousSecret = 7 * 24 * time.Hour
)

// checkKeepPreviousSecret parses keep_previous_secret ("" is 0) and says what
// is wrong with it.
func checkKeepPreviousSecret(req *webhookPatch) (time.Duration, string) {
	if req.KeepPreviousSecret == "" {
		return 0, ""
	}
	if req.Secret == "" && !req.RotateSecret {
		return 0, "only with secret or rotate_secret: it keeps the secret being replaced"
	}
	d, err := time.ParseDuration(req.KeepPreviousSecret)
	if err != nil || d < minKeepPreviousSecret || d > maxKeepPreviousSecret {
		return 0, fmt.Sprintf("a duration from %s to %s, such as 24h", minKeepPreviousSecret, "168h")
	}
	return d, ""
}

// updateWebhook is PATCH /v1/webhooks/{id} (admin): disable or enable a
// webhook, move it to another URL, change its events, or replace its secret.
func (s *Server) updateWebhook(c *gin.Context) {
	var req webhookPatch
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	fields := map[string]string{}
	if req.URL == nil && req.Events == nil && req.Disabled == nil && req.Secret == "" && !req.RotateSecret && req.KeepPreviousSecret == "" {
		fields["body"] = "nothing to change: give one or more of url, events, disabled, secret, rotate_secret"
	}
	if req.URL != nil {
		*req.URL = strings.TrimSpace(*req.URL)
		if why := checkWebhookURL(*req.URL); why != "" {
			fields["url"] = why
		}
	}
	var events []string
	if req.Events != nil {
		events = checkWebhookEvents(req.Events, fields)
	}
	if why := checkWebhookSecret(req.Secret); why != "" {
		fields["secret"] = why
	} else if req.Secret != "" && req.RotateSecret {
		fields["secret"] = "give a secret or rotate_secret, not both"
	}
	keep, why := checkKeepPreviousSecret(&req)
	if why != "" {
		fields["keep_previous_secret"] = why
	}
	if len(fields) > 0 {
		fail(c, &screening.Error{Code: screening.EINVALID, Message: "invalid webhook change", Fields: fields})
		return
	}
	secret := req.Secret
	if req.RotateSecret {
		var err error
		if secret, err = generateSecret(); err != nil {
			fail(c, err)
			return
		}
	}
	details := map[string]any{"action": "update"}
	if req.URL != nil {
		details["url"] = redactURL(*req.URL)
	}
	if events != nil {
		details["events"] = events
	}
	if req.Disabled != nil {
		details["disabled"] = *req.Disabled
	}
	now := s.now().UTC()
	if secret != "" {
		details["secret_replaced"], details["secret_generated"] = true, req.RotateSecret
		if keep > 0 {
			details["previous_secret_kept_until"] = now.Add(keep)
		}
	}
	id := c.Param("id")
	audit := screening.NewAuditRecord(now, screening.AuditWebhook, apiKey(c).ID, id, details)
	w, err := s.store.UpdateWebhook(c.Request.Context(), id, func(w *screening.Webhook) error {
		if w.Deleted() {
			return errWebhookDeleted(id)
		}
		if req.URL != nil {
			w.URL = *req.URL
		}
		if events != nil {
			w.Events = events
		}
		if req.Disabled != nil {
			w.Disabled = *req.Disabled
		}
		if secret != "" {
			// A secret rotated during an earlier overlap is dropped: only
			// the one being replaced now is kept.
			w.PreviousSecret, w.PreviousSecretUntil = "", time.Time{}
			if keep > 0 && w.Secret != secret {
				w.PreviousSecret, w.PreviousSecretUntil = w.Secret, now.Add(keep)
			}
			w.Secret = secret
		}
		return nil
	}, audit)
	if err != nil {
		fail(c, err)
		return
	}
	v := viewWebhook(w, now)
	if req.RotateSecret {
		v.Secret = secret
	}
	c.JSON(http.StatusOK, v)
}

// checkWebhookURL says what is wrong with a receiver URL ("" when fine). Private
// and loopback hosts are allowed on purpose: receivers are usually ERP hosts on
// the company network, and only an admin registers them (see webhook.NewClient).
// Credentials in the URL are refused: they would show in listings and logs;
// the signature is the way a receiver knows the sender.
func checkWebhookURL(raw string) string {
	if raw == "" {
		return "required: the receiver's http or https URL"
	}
	if len(raw) > maxURLLen {
		return fmt.Sprintf("at most %d characters", maxURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.User != nil:
		return "must not carry a user name or password; deliveries are signed instead"
	case u.Hostname() == "":
		return "must name a host"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not have a #fragment"
	}
	return ""
}

// redactURL keeps scheme, host and path for the audit trail; a query string may
// hold a receiver's token and auditors do not need it.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}

// listWebhooks is GET /v1/webhooks (admin).
func (s *Server) listWebhooks(c *gin.Context) {
	hooks, err := s.store.Webhooks(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]webhookView, 0, len(hooks))
	now := s.now()
	for _, w := range hooks {
		if !w.Deleted() {
			out = append(out, viewWebhook(w, now))
		}
	}
	c.JSON(http.StatusOK, listPage[webhookView]{Items: out})
}

// getWebhook is GET /v1/webhooks/{id} (admin).
func (s *Server) getWebhook(c *gin.Context) {
	w, err := s.liveWebhook(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWebhook(w, s.now()))
}

// liveWebhook returns a webhook that is not deleted. ENOTFOUND.
func (s *Server) liveWebhook(ctx context.Context, id string) (*screening.Webhook, error) {
	w, err := s.store.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Deleted() {
		return nil, errWebhookDeleted(id)
	}
	return w, nil
}

func errWebhookDeleted(id string) error {
	return screening.Errorf(screening.ENOTFOUND, "webhook %s was deleted", id)
}

// deleteWebhook is DELETE /v1/webhooks/{id} (admin): no more deliveries, and
// pending ones fail at their next attempt, as for a disabled webhook; its
// secrets are dropped. The webhook stays in the store, out of the API, so
// that its audit records and deliveries still name something.
func (s *Server) deleteWebhook(c *gin.Context) {
	id := c.Param("id")
	now := s.now().UTC()
	audit := screening.NewAuditRecord(now, screening.AuditWebhook, apiKey(c).ID, id, map[string]any{"action": "delete"})
	_, err := s.store.UpdateWebhook(c.Request.Context(), id, func(w *screening.Webhook) error {
		if w.Deleted() {
			return errWebhookDeleted(id)
		}
		w.DeletedAt, w.Disabled = now, true
		w.Secret, w.PreviousSecret, w.PreviousSecretUntil = "", "", time.Time{}
		return nil
	}, audit)
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// deliveryView shows a delivery with its payload as JSON rather than base64.
type deliveryView struct {
	ID        string                      `json:"id"`
	EventID   string                      `json:"event_id"`
	Event     string                      `json:"event"`
	Status    string                      `json:"status"`
	Attempts  []screening.DeliveryAttempt `json:"attempts"`
	NextAt    time.Time                   `json:"next_at"`
	CreatedAt time.Time                   `json:"created_at"`
	Payload   json.RawMessage             `json:"payload"`
}

// listDeliveries is GET /v1/webhooks/{id}/deliveries?limit= (admin), newest first.
func (s *Server) listDeliveries(c *gin.Context) {
	limit, err := queryLimit(c, 50, 500)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if _, err := s.liveWebhook(ctx, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	ds, err := s.store.Deliveries(ctx, c.Param("id"), limit)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		v := deliveryView{ID: d.ID, EventID: d.EventID, Event: d.Event, Status: d.Status, Attempts: d.Attempts,
			NextAt: d.NextAt, CreatedAt: d.CreatedAt, Payload: d.Payload}
		if v.Attempts == nil {
			v.Attempts = []screening.DeliveryAttempt{}
		}
		if !json.Valid(v.Payload) {
			v.Payload = nil
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, listPage[deliveryView]{Items: out})
}
