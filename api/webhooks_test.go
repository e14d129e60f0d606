package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

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
		var eb ErrorBody
		resp := env.do("POST", "/v1/webhooks", admin, tc.body, &eb)
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", tc.name, resp.StatusCode)
			continue
		}
		for _, f := range tc.fields {
			if eb.Error.Fields[f] == "" {
				t.Errorf("%s: error %+v does not name %s", tc.name, eb.Error, f)
			}
		}
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

// raw returns an answer's body as text.
func (e *testEnv) raw(method, path, key string) string {
	e.t.Helper()
	var m json.RawMessage
	e.do(method, path, key, nil, &m)
	return string(m)
}
