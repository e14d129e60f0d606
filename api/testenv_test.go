package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

// testEnv is a real server (handler, engine, embedded store) for API tests.
type testEnv struct {
	t      *testing.T
	store  screening.Store
	engine *screening.Engine
	server *Server
	http   *httptest.Server
	admin  *LocalAdmin
}

func newTestEnv(t *testing.T, checks ...screening.Check) *testEnv {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &screening.Engine{Store: st, Settings: settings, Checks: checks, Now: time.Now, Log: log}
	srv := New(Options{Engine: eng, Store: st, Log: log})
	eng.Timings = srv.Metrics()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, store: st, engine: eng, server: srv, http: hs, admin: &LocalAdmin{Store: st, Now: time.Now, Actor: "test"}}
}

// key creates an API key with a role and returns its secret.
func (e *testEnv) key(role string) string {
	e.t.Helper()
	secret, _, err := e.admin.CreateKey(context.Background(), role, "test "+role)
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// do sends a request and decodes the JSON answer into out (when not nil).
func (e *testEnv) do(method, path, key string, body any, out any) *http.Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp
}

// designInquiry is the example body of DESIGN.md's contract.
func designInquiry(ref string) map[string]any {
	return map[string]any{
		"reference":   ref,
		"deal":        "DEAL-7",
		"received_at": "2026-11-20T10:00:00Z",
		"customer": map[string]any{"name": "Shenzhen Precision Trading Co., Ltd.", "country": "CN", "address": "1 Keji Road, Shenzhen",
			"email": "buyer@szprecision.cn", "phone": "+86 755 1234 5678", "website": "https://szprecision.cn", "contact": "Li Wei"},
		"end_user":            map[string]any{"name": "Shenzhen Precision Trading Co., Ltd.", "country": "CN"},
		"destination_country": "CN",
		"items": []any{map[string]any{"product": "MC-5X200", "description": "5-axis machining centre", "quantity": 2,
			"hs_code": "8457.10", "specs": map[string]any{"axes": 5, "positioning_accuracy_um": 0.8}}},
		"end_use": "automotive parts",
	}
}
