package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api/webhook"
	"github.com/hikiai/hikiai/api/webhook/webhooktest"
	"github.com/hikiai/hikiai/screening"
)

func TestWebhookRegistrationValidation(t *testing.T) {
	env := newTestEnv(t)
	admin := env.key(screening.RoleAdmin)
	long := "https://erp.example/" + strings.Repeat("a", 2100)
	for _, tc := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"empty", map[string]any{}, []string{"url", "events"}},
		{"ftp", map[string]any{"url": "ftp://erp.example/in", "events": []string{"case.decided"}}, []string{"url"}},
		{"no scheme", map[string]any{"url": "erp.example/hook", "events": []string{"case.decided"}}, []string{"url"}},
		{"credentials in URL", map[string]any{"url": "https://user:pw@erp.example/hook", "events": []string{"case.decided"}}, []string{"url"}},
		{"no host", map[string]any{"url": "https:///hook", "events": []string{"case.decided"}}, []string{"url"}},
		{"fragment", map[string]any{"url": "https://erp.example/hook#x", "events": []string{"case.decided"}}, []string{"url"}},
		{"too long", map[string]any{"url": long, "events": []string{"case.decided"}}, []string{"url"}},
		{"short secret", map[string]any{"url": "https://erp.example/hook", "secret": "short", "events": []string{"case.decided"}}, []string{"secret"}},
		{"secret with space", map[string]any{"url": "https://erp.example/hook", "secret": "a secret with spaces", "events": []string{"case.decided"}}, []string{"secret"}},
		{"unknown event", map[string]any{"url": "https://erp.example/hook", "events": []string{"case.decided", "case.opened"}}, []string{"events[1]"}},
		{"events not a list", map[string]any{"url": "https://erp.example/hook", "events": "case.decided"}, []string{"events"}},
	} {
		env.wantInvalid(tc.name, "POST", "/v1/webhooks", admin, tc.body, tc.fields)
	}
	if resp := env.do("POST", "/v1/webhooks", env.key(screening.RoleReviewer), map[string]any{"url": "https://erp.example/hook", "events": []string{"case.decided"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reviewer registering a webhook: %d, want 403", resp.StatusCode)
	}
	if hooks, _ := env.store.Webhooks(context.Background()); len(hooks) != 0 {
		t.Errorf("refused registrations stored %d webhooks", len(hooks))
	}
}

func TestWebhookSecretsShownOnce(t *testing.T) {
	env := newTestEnv(t)
	admin := env.key(screening.RoleAdmin)
	var gen webhookView
	resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": "http://10.0.0.5:8080/hikiai", "events": []string{"case.decided", "case.decided", "screening.completed"}}, &gen)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(gen.Secret, "whsec_") || len(gen.Secret) < 40 {
		t.Fatalf("generated: %d %+v", resp.StatusCode, gen)
	}
	if strings.Join(gen.Events, ",") != "case.decided,screening.completed" {
		t.Errorf("events %v, want repeats dropped", gen.Events)
	}
	const mine = "my-own-secret-of-enough-length"
	var own webhookView
	resp = env.do("POST", "/v1/webhooks", admin, map[string]any{"url": "https://erp.example/hook?tenant=7", "secret": mine, "events": []string{"counterparty.rescreened"}}, &own)
	if resp.StatusCode != http.StatusCreated || own.Secret != "" {
		t.Fatalf("own secret: %d %+v (a given secret is not echoed)", resp.StatusCode, own)
	}
	stored, err := env.store.Webhook(context.Background(), own.ID)
	if err != nil || stored.Secret != mine {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	for _, path := range []string{"/v1/webhooks", "/v1/webhooks/" + gen.ID, "/v1/webhooks/" + own.ID} {
		raw := env.raw("GET", path, admin)
		if strings.Contains(raw, gen.Secret) || strings.Contains(raw, mine) || strings.Contains(raw, `"secret"`) {
			t.Errorf("GET %s shows a secret: %s", path, raw)
		}
	}
	var list listPage[webhookView]
	env.do("GET", "/v1/webhooks", admin, nil, &list)
	if len(list.Items) != 2 {
		t.Errorf("list %+v", list)
	}
	recs, _ := env.store.Audit(context.Background(), screening.AuditFilter{Kind: screening.AuditWebhook})
	if len(recs) != 2 || strings.Contains(string(recs[1].Data), "tenant=7") || strings.Contains(string(recs[1].Data), mine) {
		t.Errorf("webhook audit records %+v: want two, without query string or secret", recs)
	}
	if resp := env.do("GET", "/v1/webhooks/wh_nope", admin, nil, nil); resp.StatusCode != 404 {
		t.Errorf("unknown webhook: %d", resp.StatusCode)
	}
	if resp := env.do("GET", "/v1/webhooks/wh_nope/deliveries", admin, nil, nil); resp.StatusCode != 404 {
		t.Errorf("deliveries of an unknown webhook: %d", resp.StatusCode)
	}
}

// TestWebhookDeliveriesEndpoint registers a receiver through the API, lets a
// dispatcher deliver a screening and a decision, and reads the attempts back.
func TestWebhookDeliveriesEndpoint(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	admin, sales, reviewer := env.key(screening.RoleAdmin), env.key(screening.RoleSales), env.key(screening.RoleReviewer)
	const secret = "receiver-secret-0123456789"
	rcv := webhooktest.NewReceiver(t, secret, nil)
	var hook webhookView
	if resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": rcv.URL, "secret": secret, "events": webhook.Events}, &hook); resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	res := env.screenHeld(sales, "INQ-W1", "review")
	env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, decide("clear", "known customer"), nil)

	d := webhook.New(webhook.Options{Store: env.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if n, err := d.RunOnce(context.Background()); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if bad := rcv.Refused(); len(bad) > 0 {
		t.Fatalf("receiver refused: %v", bad)
	}
	got := rcv.Events()
	if len(got) != 2 || got[0].Type != webhook.EventScreeningCompleted || got[1].Type != webhook.EventCaseDecided {
		t.Fatalf("receiver got %+v", got)
	}
	var decided CaseDecided
	if err := json.Unmarshal(got[1].Payload.Data, &decided); err != nil || decided.CaseID != res.CaseID || decided.Reference != "INQ-W1" || decided.Status != screening.CaseCleared {
		t.Errorf("case.decided data %s (%v)", got[1].Payload.Data, err)
	}

	var page listPage[deliveryView]
	if resp := env.do("GET", "/v1/webhooks/"+hook.ID+"/deliveries", admin, nil, &page); resp.StatusCode != 200 {
		t.Fatalf("deliveries: %d", resp.StatusCode)
	}
	if len(page.Items) != 2 {
		t.Fatalf("deliveries %+v", page.Items)
	}
	for _, dv := range page.Items {
		if dv.Status != screening.DeliveryDelivered || len(dv.Attempts) != 1 || dv.Attempts[0].Status != http.StatusNoContent || !json.Valid(dv.Payload) || !strings.Contains(string(dv.Payload), dv.EventID) {
			t.Errorf("delivery %+v", dv)
		}
	}
	if resp := env.do("GET", "/v1/webhooks/"+hook.ID+"/deliveries?limit=9999", admin, nil, nil); resp.StatusCode != 400 {
		t.Errorf("limit 9999: %d", resp.StatusCode)
	}
}

// wantInvalid sends body and wants a 400 whose error names every one of fields.
func (e *testEnv) wantInvalid(name, method, path, key string, body any, fields []string) {
	e.t.Helper()
	var eb ErrorBody
	resp := e.do(method, path, key, body, &eb)
	if resp.StatusCode != http.StatusBadRequest {
		e.t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		return
	}
	for _, f := range fields {
		if eb.Error.Fields[f] == "" {
			e.t.Errorf("%s: error %+v does not name %s", name, eb.Error, f)
		}
	}
}

// raw returns an answer's body as text.
func (e *testEnv) raw(method, path, key string) string {
	e.t.Helper()
	var m json.RawMessage
	e.do(method, path, key, nil, &m)
	return string(m)
}

// TestWebhookUpdate disables a webhook, moves it to another receiver with a
// new secret, and has a secret generated, checking what is delivered, shown
// and audited at each step.
func TestWebhookUpdate(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	ctx := context.Background()
	admin, sales := env.key(screening.RoleAdmin), env.key(screening.RoleSales)
	const first, second = "first-secret-0123456789", "second-secret-0123456789"
	rcvA, rcvB := webhooktest.NewReceiver(t, first, nil), webhooktest.NewReceiver(t, second, nil)
	var hook webhookView
	if resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": rcvA.URL, "secret": first, "events": []string{webhook.EventScreeningCompleted}}, &hook); resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	d := webhook.New(webhook.Options{Store: env.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	deliver := func(want int) {
		t.Helper()
		if n, err := d.RunOnce(ctx); err != nil || n != want {
			t.Fatalf("RunOnce = %d, %v; want %d", n, err, want)
		}
	}
	patch := func(body any, wantStatus int) webhookView {
		t.Helper()
		var v webhookView
		if resp := env.do("PATCH", "/v1/webhooks/"+hook.ID, admin, body, &v); resp.StatusCode != wantStatus {
			t.Fatalf("PATCH %v: %d, want %d", body, resp.StatusCode, wantStatus)
		}
		return v
	}

	env.screenHeld(sales, "INQ-U1", "review")
	deliver(1)

	// Disabled: the next screening's event is not sent, then or later.
	if v := patch(map[string]any{"disabled": true}, 200); !v.Disabled || v.URL != rcvA.URL || v.Secret != "" {
		t.Errorf("after disabling: %+v", v)
	}
	env.screenHeld(sales, "INQ-U2", "review")
	deliver(0)

	// Moved to receiver B with B's secret and enabled again: B gets the next
	// event signed with the new secret (the receiver refuses any other).
	if v := patch(map[string]any{"url": " " + rcvB.URL + " ", "secret": second, "disabled": false}, 200); v.Disabled || v.URL != rcvB.URL || v.Secret != "" {
		t.Errorf("after moving: %+v (a given secret is not echoed)", v)
	}
	env.screenHeld(sales, "INQ-U3", "review")
	deliver(1)
	if len(rcvA.Events()) != 1 || len(rcvB.Events()) != 1 || len(rcvA.Refused())+len(rcvB.Refused()) > 0 {
		t.Fatalf("receiver A got %d (refused %v), B got %d (refused %v); want 1 and 1", len(rcvA.Events()), rcvA.Refused(), len(rcvB.Events()), rcvB.Refused())
	}

	// A generated secret is shown in the answer once and stored.
	rotated := patch(map[string]any{"rotate_secret": true, "events": []string{"case.decided", "case.decided"}}, 200)
	if !strings.HasPrefix(rotated.Secret, "whsec_") || strings.Join(rotated.Events, ",") != "case.decided" {
		t.Errorf("after rotating: %+v", rotated)
	}
	if stored, err := env.store.Webhook(ctx, hook.ID); err != nil || stored.Secret != rotated.Secret {
		t.Errorf("stored secret after rotating: %v", err)
	}
	if raw := env.raw("GET", "/v1/webhooks/"+hook.ID, admin); strings.Contains(raw, rotated.Secret) || strings.Contains(raw, `"secret"`) {
		t.Errorf("GET shows the rotated secret: %s", raw)
	}

	recs, err := env.store.Audit(ctx, screening.AuditFilter{Kind: screening.AuditWebhook})
	if err != nil || len(recs) != 4 {
		t.Fatalf("webhook audit records: %d, %v; want a create and 3 updates", len(recs), err)
	}
	for _, r := range recs[1:] {
		data := string(r.Data)
		if r.Subject != hook.ID || !strings.Contains(data, `"action":"update"`) || strings.Contains(data, second) || strings.Contains(data, rotated.Secret) {
			t.Errorf("update audit record %s %s: want the webhook, the action, no secret", r.Subject, data)
		}
	}
	if !strings.Contains(string(recs[1].Data), `"disabled":true`) || !strings.Contains(string(recs[3].Data), `"secret_generated":true`) {
		t.Errorf("audit records do not say what changed: %s / %s", recs[1].Data, recs[3].Data)
	}
}

// TestWebhookSecretOverlap rotates a secret and keeps the old one for a day:
// the receiver, still on the old secret, accepts deliveries; after it switches
// it accepts them too; after the day, the old secret no longer signs.
func TestWebhookSecretOverlap(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	ctx := context.Background()
	admin, sales := env.key(screening.RoleAdmin), env.key(screening.RoleSales)
	var (
		mu     sync.Mutex
		offset time.Duration
	)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(offset)
	}
	env.server.now = clock
	const old = "old-secret-0123456789"
	rcv := webhooktest.NewReceiver(t, old, clock)
	var hook webhookView
	if resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": rcv.URL, "secret": old, "events": []string{webhook.EventScreeningCompleted}}, &hook); resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	d := webhook.New(webhook.Options{Store: env.store, Now: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	deliver := func(ref string) {
		t.Helper()
		env.screenHeld(sales, ref, "review")
		if n, err := d.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v; want 1", n, err)
		}
	}

	var rotated webhookView
	if resp := env.do("PATCH", "/v1/webhooks/"+hook.ID, admin, map[string]any{"rotate_secret": true, "keep_previous_secret": "24h"}, &rotated); resp.StatusCode != 200 {
		t.Fatalf("rotate: %d", resp.StatusCode)
	}
	if rotated.Secret == "" || rotated.PreviousSecretExpiresAt == nil || rotated.PreviousSecretExpiresAt.Sub(clock()) < 23*time.Hour {
		t.Fatalf("after rotating with overlap: %+v", rotated)
	}
	if raw := env.raw("GET", "/v1/webhooks/"+hook.ID, admin); strings.Contains(raw, old) || strings.Contains(raw, rotated.Secret) || !strings.Contains(raw, "previous_secret_expires_at") {
		t.Errorf("GET during the overlap: %s", raw)
	}

	deliver("INQ-O1") // the receiver still checks the old secret
	rcv.SetSecret(rotated.Secret)
	deliver("INQ-O2") // and now the new one
	if len(rcv.Events()) != 2 || len(rcv.Refused()) != 0 {
		t.Fatalf("during the overlap: %d events, refused %v", len(rcv.Events()), rcv.Refused())
	}

	mu.Lock()
	offset = 25 * time.Hour
	mu.Unlock()
	rcv.SetSecret(old) // a receiver that never switched
	deliver("INQ-O3")
	if len(rcv.Events()) != 2 || len(rcv.Refused()) == 0 {
		t.Fatalf("after the overlap: %d events, refused %v; want the old secret refused", len(rcv.Events()), rcv.Refused())
	}
	if raw := env.raw("GET", "/v1/webhooks/"+hook.ID, admin); strings.Contains(raw, "previous_secret_expires_at") {
		t.Errorf("GET after the overlap still shows it: %s", raw)
	}

	// Rotating again without keeping drops any previous secret at once.
	if resp := env.do("PATCH", "/v1/webhooks/"+hook.ID, admin, map[string]any{"secret": "third-secret-0123456789"}, nil); resp.StatusCode != 200 {
		t.Fatalf("replace: %d", resp.StatusCode)
	}
	if stored, err := env.store.Webhook(ctx, hook.ID); err != nil || stored.PreviousSecret != "" || len(stored.SigningSecrets(clock())) != 1 {
		t.Errorf("after a replacement without overlap: %+v, %v", stored, err)
	}
	recs, err := env.store.Audit(ctx, screening.AuditFilter{Kind: screening.AuditWebhook})
	if err != nil || len(recs) != 3 || !strings.Contains(string(recs[1].Data), "previous_secret_kept_until") || strings.Contains(string(recs[1].Data), old) {
		t.Errorf("audit of the rotation: %d records, %v", len(recs), err)
	}
}

// TestWebhookDelete: a deleted webhook hears of no more events, leaves the
// API (404 for it and its deliveries, gone from the list), loses its secret
// and leaves an audit record; another webhook goes on as before.
func TestWebhookDelete(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	ctx := context.Background()
	admin, sales := env.key(screening.RoleAdmin), env.key(screening.RoleSales)
	const secret = "delete-secret-0123456789"
	gone, kept := webhooktest.NewReceiver(t, secret, time.Now), webhooktest.NewReceiver(t, secret, time.Now)
	var deleted, other webhookView
	for _, r := range []struct {
		url  string
		into *webhookView
	}{{gone.URL, &deleted}, {kept.URL, &other}} {
		if resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": r.url, "secret": secret, "events": []string{webhook.EventScreeningCompleted}}, r.into); resp.StatusCode != 201 {
			t.Fatalf("register: %d", resp.StatusCode)
		}
	}
	d := webhook.New(webhook.Options{Store: env.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	deliver := func(ref string, want int) {
		t.Helper()
		env.screenHeld(sales, ref, "review")
		if n, err := d.RunOnce(ctx); err != nil || n != want {
			t.Fatalf("RunOnce after %s = %d, %v; want %d", ref, n, err, want)
		}
	}
	deliver("INQ-D1", 2)

	if resp := env.do("DELETE", "/v1/webhooks/"+deleted.ID, sales, nil, nil); resp.StatusCode != 403 {
		t.Fatalf("DELETE as sales: %d", resp.StatusCode)
	}
	if resp := env.do("DELETE", "/v1/webhooks/"+deleted.ID, admin, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	deliver("INQ-D2", 1)
	if len(gone.Events()) != 1 || len(kept.Events()) != 2 {
		t.Errorf("after the deletion: the deleted webhook got %d events, the other %d; want 1 and 2", len(gone.Events()), len(kept.Events()))
	}

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/webhooks/" + deleted.ID, nil},
		{"GET", "/v1/webhooks/" + deleted.ID + "/deliveries", nil},
		{"PATCH", "/v1/webhooks/" + deleted.ID, map[string]any{"disabled": false}},
		{"DELETE", "/v1/webhooks/" + deleted.ID, nil},
		{"DELETE", "/v1/webhooks/wh_nothere", nil},
	} {
		if resp := env.do(c.method, c.path, admin, c.body, nil); resp.StatusCode != 404 {
			t.Errorf("%s %s after the deletion: %d, want 404", c.method, c.path, resp.StatusCode)
		}
	}
	var list listPage[webhookView]
	if resp := env.do("GET", "/v1/webhooks", admin, nil, &list); resp.StatusCode != 200 || len(list.Items) != 1 || list.Items[0].ID != other.ID {
		t.Errorf("list after the deletion: %d %+v, want only %s", resp.StatusCode, list.Items, other.ID)
	}
	stored, err := env.store.Webhook(ctx, deleted.ID)
	if err != nil || !stored.Deleted() || !stored.Disabled || stored.Secret != "" || len(stored.Events) == 0 {
		t.Errorf("stored after the deletion (the PATCH must not have enabled it): %+v, %v", stored, err)
	}
	recs, err := env.store.Audit(ctx, screening.AuditFilter{Kind: screening.AuditWebhook})
	if err != nil || len(recs) != 3 || recs[2].Subject != deleted.ID || !strings.Contains(string(recs[2].Data), `"action":"delete"`) {
		t.Errorf("audit of the deletion: %+v, %v; want create, create, delete", recs, err)
	}
}

func TestWebhookUpdateValidation(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	admin := env.key(screening.RoleAdmin)
	var hook webhookView
	if resp := env.do("POST", "/v1/webhooks", admin, map[string]any{"url": "https://erp.example/hook", "secret": "a-secret-0123456789", "events": []string{"case.decided"}}, &hook); resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	before, _ := env.store.Webhook(ctx, hook.ID)
	for _, tc := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"nothing to change", map[string]any{}, []string{"body"}},
		{"nothing but nulls", map[string]any{"url": nil, "disabled": nil}, []string{"body"}},
		{"ftp", map[string]any{"url": "ftp://erp.example/in"}, []string{"url"}},
		{"empty url", map[string]any{"url": ""}, []string{"url"}},
		{"credentials in URL", map[string]any{"url": "https://user:pw@erp.example/hook"}, []string{"url"}},
		{"no events", map[string]any{"events": []string{}}, []string{"events"}},
		{"unknown event", map[string]any{"events": []string{"case.decided", "case.opened"}}, []string{"events[1]"}},
		{"short secret", map[string]any{"secret": "short"}, []string{"secret"}},
		{"secret and rotate", map[string]any{"secret": "another-secret-0123456789", "rotate_secret": true}, []string{"secret"}},
		{"keep without a new secret", map[string]any{"keep_previous_secret": "24h"}, []string{"keep_previous_secret"}},
		{"keep not a duration", map[string]any{"rotate_secret": true, "keep_previous_secret": "a day"}, []string{"keep_previous_secret"}},
		{"keep too long", map[string]any{"rotate_secret": true, "keep_previous_secret": "720h"}, []string{"keep_previous_secret"}},
		{"keep too short", map[string]any{"secret": "another-secret-0123456789", "keep_previous_secret": "1s"}, []string{"keep_previous_secret"}},
		{"every field bad", map[string]any{"url": "x", "events": []string{"x"}, "secret": "x"}, []string{"url", "events[0]", "secret"}},
		{"unknown field", map[string]any{"disable": true}, nil},
		{"disabled not a bool", map[string]any{"disabled": "yes"}, nil},
	} {
		env.wantInvalid(tc.name, "PATCH", "/v1/webhooks/"+hook.ID, admin, tc.body, tc.fields)
	}
	if resp := env.do("PATCH", "/v1/webhooks/wh_nope", admin, map[string]any{"disabled": true}, nil); resp.StatusCode != 404 {
		t.Errorf("unknown webhook: %d, want 404", resp.StatusCode)
	}
	if resp := env.do("PATCH", "/v1/webhooks/"+hook.ID, env.key(screening.RoleReviewer), map[string]any{"disabled": true}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reviewer changing a webhook: %d, want 403", resp.StatusCode)
	}
	after, _ := env.store.Webhook(ctx, hook.ID)
	if after.URL != before.URL || after.Secret != before.Secret || after.Disabled || strings.Join(after.Events, ",") != "case.decided" {
		t.Errorf("refused changes changed the webhook: %+v", after)
	}
	if recs, _ := env.store.Audit(ctx, screening.AuditFilter{Kind: screening.AuditWebhook}); len(recs) != 1 {
		t.Errorf("refused changes wrote %d audit records beside the creation", len(recs)-1)
	}
}
