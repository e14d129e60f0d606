package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
)

// contract validates real exchanges with the handlers against the OpenAPI
// document and remembers which operations and statuses were exercised.
type contract struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
	seen   map[string]map[int]bool // "POST /v1/screenings" -> statuses
}

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json is version %q, want 3.1.0", doc.OpenAPI)
	}
	// Validate also checks every example against its schema.
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func newContract(t *testing.T) *contract {
	doc := loadOpenAPI(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// exchange sends one request to h, validates the answer against the document
// (its status must be documented for the operation) and, when checkRequest,
// the request too. It returns the status and body.
func (k *contract) exchange(h http.Handler, method, path, key string, body []byte, checkRequest bool) (int, []byte) {
	k.t.Helper()
	newReq := func() *http.Request {
		r := httptest.NewRequest(method, "http://hikiai.test"+path, bytes.NewReader(body))
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			r.Header.Set("Authorization", "Bearer "+key)
		}
		return r
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq())
	resp := rec.Result()
	raw, _ := io.ReadAll(resp.Body)

	req := newReq()
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		k.t.Fatalf("%s %s: not in openapi.json: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if checkRequest {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			k.t.Errorf("%s %s: the request does not match openapi.json: %v", method, path, err)
		}
	}
	if err := k.validateResponse(in, resp.StatusCode, resp.Header, raw); err != nil {
		k.t.Errorf("%s %s answered %d, which does not match openapi.json: %v\nbody: %.600s", method, path, resp.StatusCode, err, raw)
	}
	op := route.Method + " " + route.Path
	if k.seen[op] == nil {
		k.seen[op] = map[int]bool{}
	}
	k.seen[op][resp.StatusCode] = true
	return resp.StatusCode, raw
}

func (k *contract) validateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// example returns a request body example of an operation, as JSON.
func (k *contract) example(method, path, name string) []byte {
	k.t.Helper()
	op := k.doc.Paths.Value(path).GetOperation(method)
	ex := op.RequestBody.Value.Content.Get("application/json").Examples[name]
	if ex == nil || ex.Value == nil {
		k.t.Fatalf("openapi.json: %s %s has no request example %q", method, path, name)
	}
	b, err := json.Marshal(ex.Value.Value)
	if err != nil {
		k.t.Fatal(err)
	}
	return b
}

// want fails the test when an exchange did not answer the expected status.
func want(t *testing.T, what string, got, wantStatus int, body []byte) {
	t.Helper()
	if got != wantStatus {
		t.Fatalf("%s: status %d, want %d: %.400s", what, got, wantStatus, body)
	}
}

// pingFailStore is a store whose Ping fails, to provoke /readyz's 503.
type pingFailStore struct{ screening.Store }

func (pingFailStore) Ping(context.Context) error {
	return screening.Errorf(screening.EUNAVAILABLE, "store unreachable")
}

// TestOpenAPIMatchesHandlers drives every documented operation through the
// real handlers (bolt store in a temp dir) and validates each answer against
// openapi.json: a handler that adds, drops or renames a field, or answers a
// status the document does not list, fails here.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	k := newContract(t)
	env := newTestEnv(t)
	h := env.server.Handler()
	sales, reviewer, admin := env.key(screening.RoleSales), env.key(screening.RoleReviewer), env.key(screening.RoleAdmin)
	ex := func(method, path, name string) []byte { return k.example(method, path, name) }

	// Operations.
	st, _ := k.exchange(h, "GET", "/healthz", "", nil, true)
	want(t, "healthz", st, 200, nil)
	st, body := k.exchange(h, "GET", "/readyz", "", nil, true)
	want(t, "readyz", st, 200, body)
	down := New(Options{Engine: env.engine, Store: pingFailStore{env.store}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	st, body = k.exchange(down.Handler(), "GET", "/readyz", "", nil, true)
	want(t, "readyz with the store down", st, 503, body)
	st, body = k.exchange(h, "GET", "/openapi.json", "", nil, true)
	want(t, "openapi.json", st, 200, body)
	if !bytes.Equal(body, OpenAPIDocument()) {
		t.Error("GET /openapi.json does not serve the embedded document")
	}

	// Screenings: both request examples of the document, as real requests.
	var en, ja screening.Result
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, ex("POST", "/v1/screenings", "en"), true)
	want(t, "screen (en example)", st, 201, body)
	mustJSON(t, body, &en)
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, ex("POST", "/v1/screenings", "ja"), true)
	want(t, "screen (ja example)", st, 201, body)
	mustJSON(t, body, &ja)
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, ex("POST", "/v1/screenings", "en"), true)
	want(t, "idempotent repeat", st, 200, body)
	changed := strings.Replace(string(ex("POST", "/v1/screenings", "en")), "automotive parts", "school workshop", 1)
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, []byte(changed), true)
	want(t, "same reference, other body", st, 409, body)
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, []byte(`{"customer":{"name":""},"items":[{"product":"MC-5X200","quantity":"two"}]}`), false)
	want(t, "invalid fields", st, 400, body)
	var eb ErrorBody
	mustJSON(t, body, &eb)
	if eb.Error.Fields["items[0].quantity"] == "" {
		t.Errorf("400 does not name items[0].quantity: %s", body)
	}
	st, body = k.exchange(h, "POST", "/v1/screenings", "", ex("POST", "/v1/screenings", "en"), false)
	want(t, "no key", st, 401, body)
	st, body = k.exchange(h, "POST", "/v1/screenings", reviewer, ex("POST", "/v1/screenings", "en"), true)
	want(t, "reviewer may not screen", st, 403, body)
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, bytes.Repeat([]byte(" "), MaxBodyBytes+1), false)
	want(t, "body over 1 MiB", st, 413, body)

	st, body = k.exchange(h, "GET", "/v1/screenings?limit=10", reviewer, nil, true)
	want(t, "list", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/screenings?limit=0", reviewer, nil, false)
	want(t, "list with a bad limit", st, 400, body)
	st, body = k.exchange(h, "GET", "/v1/screenings/"+en.ID, sales, nil, true)
	want(t, "get", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/screenings/scr_nothere", sales, nil, true)
	want(t, "get unknown", st, 404, body)

	// Batch: both examples, one with a bad inquiry in it.
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", sales, ex("POST", "/v1/screenings:batch", "en"), true)
	want(t, "batch (en example)", st, 200, body)
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", sales, ex("POST", "/v1/screenings:batch", "ja"), true)
	want(t, "batch (ja example)", st, 200, body)
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", sales, []byte(`{"inquiries":[]}`), false)
	want(t, "empty batch", st, 400, body)
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", reviewer, ex("POST", "/v1/screenings:batch", "en"), true)
	want(t, "reviewer batch", st, 403, body)
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", "", ex("POST", "/v1/screenings:batch", "en"), false)
	want(t, "batch without key", st, 401, body)
	st, body = k.exchange(h, "POST", "/v1/screenings:batch", sales, bytes.Repeat([]byte(" "), MaxBatchBodyBytes+1), false)
	want(t, "batch over 16 MiB", st, 413, body)

	// A server with a limit of one request a minute per key answers the second with 429.
	limited := New(Options{Engine: env.engine, Store: env.store, Cache: memcache.New(memcache.Options{}), RateLimit: 1,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
	st, body = k.exchange(limited, "GET", "/v1/screenings", sales, nil, true)
	want(t, "first request under the limit", st, 200, body)
	st, body = k.exchange(limited, "POST", "/v1/screenings:batch", sales, ex("POST", "/v1/screenings:batch", "en"), true)
	want(t, "second request over the limit", st, 429, body)

	// Metrics last, so that the request histogram has routes in it.
	st, body = k.exchange(h, "GET", "/metrics", "", nil, true)
	want(t, "metrics", st, 200, body)

	_ = admin
	k.requireOperations(contractPaths["core"]...)
}

// TestOpenAPIMatchesCaseListAndWebhookHandlers does the same for the
// reviewer, list, audit and webhook operations. Together the two tests reach
// every documented operation (checked by requireEveryOperation).
func TestOpenAPIMatchesCaseListAndWebhookHandlers(t *testing.T) {
	k := newContract(t)
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	lists := &screening.Lists{}
	var env *testEnv
	env = newTestEnv(t, holdCheck{}, screening.NewDeniedPartyCheck(settings.DeniedParty, lists, suppressionsOf(func() screening.Store { return env.store })))
	h := env.server.Handler()
	sales, reviewer, admin := env.key(screening.RoleSales), env.key(screening.RoleReviewer), env.key(screening.RoleAdmin)
	ex := func(method, path, name string) []byte { return k.example(method, path, name) }
	asJSON := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// Lists: none loaded yet, then the fixture.
	st, body := k.exchange(h, "GET", "/v1/search?q=Rosoboronexport", sales, nil, true)
	want(t, "search without lists", st, 503, body)
	env.importFixture(metiCSV)
	lists.Swap(env.server.lists.Current())
	st, body = k.exchange(h, "GET", "/v1/lists", sales, nil, true)
	want(t, "lists", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/search?q=Rosoboronexport&country=RU&limit=5", sales, nil, true)
	want(t, "search", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/search?q=", sales, nil, false)
	want(t, "search without q", st, 400, body)
	for _, name := range []string{"en", "ja"} {
		st, body = k.exchange(h, "POST", "/v1/names/compare", sales, ex("POST", "/v1/names/compare", name), true)
		want(t, "compare "+name, st, 200, body)
	}
	st, body = k.exchange(h, "POST", "/v1/names/compare", sales, []byte(`{"a":""}`), false)
	want(t, "compare without b", st, 400, body)

	// Cases: one held for review by the test check, one blocked by a list hit.
	var held, blocked screening.Result
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, asJSON(heldInquiry("OA-1", "review")), true)
	want(t, "held screening", st, 201, body)
	mustJSON(t, body, &held)
	hit := designInquiry("OA-2")
	hit["customer"] = map[string]any{"name": "Joint Stock Company Rosoboronexport", "country": "RU"}
	delete(hit, "end_user")
	st, body = k.exchange(h, "POST", "/v1/screenings", sales, asJSON(hit), true)
	want(t, "list hit", st, 201, body)
	mustJSON(t, body, &blocked)
	entryKey := ""
	for _, f := range blocked.Flags {
		if f.Code == DeniedPartyCode {
			entryKey, _ = f.Evidence["entry_key"].(string)
		}
	}
	if held.CaseID == "" || blocked.CaseID == "" || entryKey == "" {
		t.Fatalf("need two cases and a list hit: %+v / %+v", held, blocked)
	}
	st, body = k.exchange(h, "GET", "/v1/cases?status=open&limit=10", reviewer, nil, true)
	want(t, "cases", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/cases?status=bogus", reviewer, nil, false)
	want(t, "cases with a bad status", st, 400, body)
	st, body = k.exchange(h, "GET", "/v1/cases", sales, nil, true)
	want(t, "cases for sales", st, 403, body)
	st, body = k.exchange(h, "GET", "/v1/cases/"+blocked.CaseID, reviewer, nil, true)
	want(t, "case", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/cases/case_nothere", reviewer, nil, true)
	want(t, "unknown case", st, 404, body)

	decision := "/v1/cases/" + held.CaseID + "/decision"
	st, body = k.exchange(h, "POST", decision, reviewer, ex("POST", "/v1/cases/{id}/decision", "en"), true)
	want(t, "decide", st, 200, body)
	st, body = k.exchange(h, "POST", decision, reviewer, ex("POST", "/v1/cases/{id}/decision", "ja"), true)
	want(t, "decide a decided case", st, 409, body)
	st, body = k.exchange(h, "POST", decision, reviewer, []byte(`{"decision":"maybe","reason":""}`), false)
	want(t, "bad decision", st, 400, body)

	suppress := "/v1/cases/" + blocked.CaseID + "/suppressions"
	st, body = k.exchange(h, "POST", suppress, reviewer, ex("POST", "/v1/cases/{id}/suppressions", "en"), true)
	want(t, "suppress an entry that is no hit", st, 422, body)
	st, body = k.exchange(h, "POST", suppress, reviewer, []byte(`{"entry_key":"`+entryKey+`","reason":"different company, other address"}`), true)
	want(t, "suppress", st, 201, body)
	st, body = k.exchange(h, "POST", suppress, reviewer, []byte(`{"entry_key":"x"}`), false)
	want(t, "bad suppression", st, 400, body)

	// Audit.
	st, body = k.exchange(h, "GET", "/v1/audit?limit=3", admin, nil, true)
	want(t, "audit", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/audit?limit=0", admin, nil, false)
	want(t, "audit with a bad limit", st, 400, body)
	st, body = k.exchange(h, "GET", "/v1/audit", reviewer, nil, true)
	want(t, "audit for a reviewer", st, 403, body)

	// Webhooks.
	var hook struct{ ID string }
	st, body = k.exchange(h, "POST", "/v1/webhooks", admin, ex("POST", "/v1/webhooks", "en"), true)
	want(t, "webhook (generated secret)", st, 201, body)
	mustJSON(t, body, &hook)
	st, body = k.exchange(h, "POST", "/v1/webhooks", admin, ex("POST", "/v1/webhooks", "ja"), true)
	want(t, "webhook (given secret)", st, 201, body)
	st, body = k.exchange(h, "POST", "/v1/webhooks", admin, []byte(`{"url":"ftp://x","events":["nope"]}`), false)
	want(t, "bad webhook", st, 400, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks", admin, nil, true)
	want(t, "webhooks", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks/"+hook.ID, admin, nil, true)
	want(t, "webhook", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks/wh_nothere", admin, nil, true)
	want(t, "unknown webhook", st, 404, body)
	for _, name := range []string{"en", "ja"} {
		st, body = k.exchange(h, "PATCH", "/v1/webhooks/"+hook.ID, admin, ex("PATCH", "/v1/webhooks/{id}", name), true)
		want(t, "change webhook "+name, st, 200, body)
	}
	st, body = k.exchange(h, "PATCH", "/v1/webhooks/"+hook.ID, admin, []byte(`{}`), false)
	want(t, "webhook change with nothing to change", st, 400, body)
	st, body = k.exchange(h, "PATCH", "/v1/webhooks/wh_nothere", admin, []byte(`{"disabled":true}`), true)
	want(t, "change an unknown webhook", st, 404, body)
	st, body = k.exchange(h, "PATCH", "/v1/webhooks/"+hook.ID, sales, []byte(`{"disabled":true}`), true)
	want(t, "change a webhook as sales", st, 403, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks/"+hook.ID+"/deliveries?limit=10", admin, nil, true)
	want(t, "deliveries", st, 200, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks/"+hook.ID+"/deliveries?limit=9999", admin, nil, false)
	want(t, "deliveries with a bad limit", st, 400, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks", sales, nil, true)
	want(t, "webhooks for sales", st, 403, body)
	st, body = k.exchange(h, "DELETE", "/v1/webhooks/"+hook.ID, sales, nil, true)
	want(t, "delete a webhook as sales", st, 403, body)
	st, body = k.exchange(h, "DELETE", "/v1/webhooks/"+hook.ID, admin, nil, true)
	want(t, "delete a webhook", st, 204, body)
	st, body = k.exchange(h, "DELETE", "/v1/webhooks/"+hook.ID, admin, nil, true)
	want(t, "delete a deleted webhook", st, 404, body)
	st, body = k.exchange(h, "GET", "/v1/webhooks/"+hook.ID+"/deliveries", admin, nil, true)
	want(t, "deliveries of a deleted webhook", st, 404, body)

	k.requireOperations(contractPaths["reviewer"]...)
}

// contractPaths are the path prefixes each contract test must cover fully.
var contractPaths = map[string][]string{
	"core":     {"/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/screenings"},
	"reviewer": {"/v1/lists", "/v1/search", "/v1/names/compare", "/v1/cases", "/v1/audit", "/v1/webhooks"},
}

// TestOpenAPIContractTestsCoverEveryPath fails when a documented path is
// exercised by no contract test: add its exchanges to one of them and its
// prefix to contractPaths.
func TestOpenAPIContractTestsCoverEveryPath(t *testing.T) {
	doc := loadOpenAPI(t)
	for path := range doc.Paths.Map() {
		covered := false
		for _, prefixes := range contractPaths {
			covered = covered || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(path, p) })
		}
		if !covered {
			t.Errorf("%s is documented but no contract test exercises it", path)
		}
	}
}

// requireOperations fails for a documented operation under one of the path
// prefixes that no exchange reached, and logs the documented statuses not
// provoked. The prefixes of all contract tests together cover every path
// (TestOpenAPIContractTestsCoverEveryPath).
func (k *contract) requireOperations(prefixes ...string) {
	k.t.Helper()
	var missing, unprovoked []string
	for path, item := range k.doc.Paths.Map() {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(path, p) }) {
			continue
		}
		for method, op := range item.Operations() {
			name := method + " " + path
			got := k.seen[name]
			if len(got) == 0 {
				missing = append(missing, name)
				continue
			}
			for code := range op.Responses.Map() {
				var c int
				if _, err := fmt.Sscan(code, &c); err == nil && !got[c] {
					unprovoked = append(unprovoked, name+" "+code)
				}
			}
		}
	}
	sort.Strings(missing)
	sort.Strings(unprovoked)
	if len(missing) > 0 {
		k.t.Errorf("documented operations that no test exchange reached: %s", strings.Join(missing, ", "))
	}
	k.t.Logf("documented statuses not provoked (500s, outages): %s", strings.Join(unprovoked, ", "))
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %.300s: %v", b, err)
	}
}

// TestOpenAPIDetectsDrift shows that the document is strict enough to catch a
// handler's drift: a real answer, changed the ways a code change would change
// it, no longer validates.
func TestOpenAPIDetectsDrift(t *testing.T) {
	k := newContract(t)
	env := newTestEnv(t)
	h := env.server.Handler()
	sales := env.key(screening.RoleSales)
	st, body := k.exchange(h, "POST", "/v1/screenings", sales, k.example("POST", "/v1/screenings", "en"), true)
	want(t, "screen", st, 201, body)

	req := httptest.NewRequest("POST", "http://hikiai.test/v1/screenings", nil)
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if err := k.validateResponse(in, 201, header, body); err != nil {
		t.Fatalf("the real answer does not validate: %v", err)
	}
	drifts := []struct {
		name   string
		status int
		change func(m map[string]any)
	}{
		{"new field", 201, func(m map[string]any) { m["risk_band"] = "B" }},
		{"dropped field", 201, func(m map[string]any) { delete(m, "action") }},
		{"renamed field", 201, func(m map[string]any) { m["screening_id"] = m["id"]; delete(m, "id") }},
		{"new enum value", 201, func(m map[string]any) { m["action"] = "escalate" }},
		{"wrong type", 201, func(m map[string]any) { m["score"] = "72" }},
		{"flag without message_ja", 201, func(m map[string]any) {
			m["flags"] = []any{map[string]any{"code": "x", "severity": "low", "points": 1, "message": "m"}}
		}},
		{"undocumented status", 202, func(map[string]any) {}},
	}
	for _, d := range drifts {
		t.Run(d.name, func(t *testing.T) {
			var m map[string]any
			mustJSON(t, body, &m)
			d.change(m)
			changed, _ := json.Marshal(m)
			if err := k.validateResponse(in, d.status, header, changed); err == nil {
				t.Errorf("openapi.json accepts a drifted answer: %s", changed)
			}
		})
	}
}

// webPage reports whether a route is part of the server-rendered web pages
// (api/web: "/" redirects to /ui/, everything else is under /ui/). They are
// for browsers, with a session cookie and CSRF-checked forms, not an API for
// other programs, so the OpenAPI document leaves them out; api/web's own tests
// cover them.
func webPage(path string) bool {
	return path == "/" || strings.HasPrefix(path, "/ui/") || path == "/ui"
}

// TestOpenAPIDocumentsEveryRoute fails when a route is registered in gin but
// not documented, or documented but not registered.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	env := newTestEnv(t)
	engine, ok := env.server.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("Handler is %T, not *gin.Engine", env.server.Handler())
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	param := regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)
	registered := map[string]bool{}
	for _, r := range engine.Routes() {
		if webPage(r.Path) {
			continue
		}
		// gin keeps "\:" (a literal colon) until it serves the first request.
		path := strings.ReplaceAll(r.Path, `\:`, "\x00")
		path = param.ReplaceAllString(path, "{$1}")
		path = strings.ReplaceAll(path, "\x00", ":")
		registered[r.Method+" "+path] = true
	}
	var undocumented, unregistered []string
	for r := range registered {
		if !documented[r] {
			undocumented = append(undocumented, r)
		}
	}
	for d := range documented {
		if !registered[d] {
			unregistered = append(unregistered, d)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unregistered)
	if len(undocumented) > 0 {
		t.Errorf("routes in routes.go missing from api/openapi.json (document them):\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("operations in api/openapi.json that no route serves:\n  %s", strings.Join(unregistered, "\n  "))
	}
}
