package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

func TestCreateScreeningAnswersContract(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleSales)
	var res screening.Result
	resp := env.do("POST", "/v1/screenings", key, designInquiry("INQ-1"), &res)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.HasPrefix(res.ID, "scr_") || res.Reference != "INQ-1" || res.Level == "" || res.Action == "" || res.Flags == nil || res.ScreenedAt.IsZero() {
		t.Fatalf("incomplete result: %+v", res)
	}
	if got := resp.Header.Get("Location"); got != "/v1/screenings/"+res.ID {
		t.Errorf("Location = %q", got)
	}
	var back screeningView
	if resp := env.do("GET", "/v1/screenings/"+res.ID, key, nil, &back); resp.StatusCode != http.StatusOK {
		t.Fatalf("get status %d", resp.StatusCode)
	}
	if back.ID != res.ID || back.Inquiry == nil || back.Inquiry.Customer.Name != "Shenzhen Precision Trading Co., Ltd." {
		t.Fatalf("read back %+v", back)
	}
}

func TestIdempotentReference(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleERP)
	var first, again screening.Result
	if resp := env.do("POST", "/v1/screenings", key, designInquiry("INQ-7"), &first); resp.StatusCode != 201 {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	if resp := env.do("POST", "/v1/screenings", key, designInquiry("INQ-7"), &again); resp.StatusCode != 200 {
		t.Fatalf("repeat: %d", resp.StatusCode)
	}
	if again.ID != first.ID || again.ScreenedAt != first.ScreenedAt {
		t.Fatalf("repeat gave %s, first %s", again.ID, first.ID)
	}
	changed := designInquiry("INQ-7")
	changed["end_use"] = "something else"
	var eb ErrorBody
	if resp := env.do("POST", "/v1/screenings", key, changed, &eb); resp.StatusCode != http.StatusConflict || eb.Error.Code != screening.ECONFLICT {
		t.Fatalf("different body: %d %+v", resp.StatusCode, eb)
	}
	// Neither the repeat nor the conflict left history behind: they record it
	// beside the reference look-up and must forget it.
	if got := historyScreenings(t, env.store); len(got) != 1 || !got[first.ID] {
		t.Fatalf("history holds screenings %v, want only %s", got, first.ID)
	}
	// The same reference under another key is another inquiry.
	var other screening.Result
	if resp := env.do("POST", "/v1/screenings", env.key(screening.RoleERP), designInquiry("INQ-7"), &other); resp.StatusCode != 201 || other.ID == first.ID {
		t.Fatalf("other key: %d %s", resp.StatusCode, other.ID)
	}
}

func TestIdempotentReferenceUnderConcurrency(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleERP)
	const n = 8
	ids := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var r screening.Result
			codes[i] = env.do("POST", "/v1/screenings", key, designInquiry("INQ-RACE"), &r).StatusCode
			ids[i] = r.ID
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if codes[i] == 201 {
			created++
		} else if codes[i] != 200 {
			t.Fatalf("request %d: status %d", i, codes[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("request %d got %s, request 0 got %s", i, ids[i], ids[0])
		}
	}
	if created != 1 {
		t.Fatalf("%d requests created a screening, want 1", created)
	}
	list, _, err := env.store.ListScreenings(t.Context(), screening.ScreeningFilter{Limit: 100})
	if err != nil || len(list) != 1 {
		t.Fatalf("stored %d screenings (%v), want 1", len(list), err)
	}
	if got := historyScreenings(t, env.store); len(got) != 1 || !got[ids[0]] {
		t.Fatalf("history holds screenings %v, want only %s", got, ids[0])
	}
}

// historyScreenings returns the screenings the history holds parties of:
// every entry under every counterparty key, not only the newest.
func historyScreenings(t *testing.T, st screening.Store) map[string]bool {
	t.Helper()
	var keys []string
	err := st.SeenCounterparties(t.Context(), time.Time{}, func(h screening.HistoryEntry) error {
		keys = append(keys, h.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, k := range keys {
		probe := []screening.HistoryEntry{{Kind: screening.HistoryCounterparty, Key: k, ScreeningID: "scr_probe", At: time.Now()}}
		found, err := st.RecordHistory(t.Context(), probe, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ForgetHistory(t.Context(), probe); err != nil {
			t.Fatal(err)
		}
		for _, h := range found[0] {
			got[h.ScreeningID] = true
		}
	}
	return got
}

func TestCreateScreeningRejectsBadInput(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleSales)
	big := `{"customer":{"name":"` + strings.Repeat("x", 1<<20) + `"},"items":[{"product":"A","quantity":1}]}`
	cases := []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"empty body", "", 400, []string{"body"}},
		{"not JSON", "{customer", 400, []string{"body"}},
		{"two values", `{"customer":{"name":"A"},"items":[{"product":"P","quantity":1}]} {}`, 400, []string{"body"}},
		{"missing name and items", `{"customer":{}}`, 400, []string{"customer.name", "items"}},
		{"wrong type with index", `{"customer":{"name":"A"},"items":[{"product":"P","quantity":1},{"product":"Q","quantity":"two"}]}`, 400, []string{"items[1].quantity"}},
		{"unknown fields", `{"customer":{"name":"A","nmae":"B"},"items":[{"product":"P","quantity":1}],"colour":"red"}`, 400, []string{"customer.nmae", "colour"}},
		{"zero quantity and bad country", `{"customer":{"name":"A","country":"China"},"items":[{"product":"P","quantity":0}]}`, 400, []string{"customer.country", "items[0].quantity"}},
		{"bad time", `{"received_at":"yesterday","customer":{"name":"A"},"items":[{"product":"P","quantity":1}]}`, 400, []string{"received_at"}},
		{"bad email and website", `{"customer":{"name":"A","email":"not-mail","website":"ftp://x"},"items":[{"product":"P","quantity":1}]}`, 400, []string{"customer.email", "customer.website"}},
		{"control characters", "{\"customer\":{\"name\":\"A\\u0000B\"},\"items\":[{\"product\":\"P\",\"quantity\":1}]}", 400, []string{"customer.name"}},
		{"too large", big, 413, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var eb ErrorBody
			resp := env.do("POST", "/v1/screenings", key, tc.body, &eb)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%+v)", resp.StatusCode, tc.status, eb)
			}
			for _, f := range tc.fields {
				if eb.Error.Fields[f] == "" {
					t.Errorf("field %s not named; fields: %v", f, eb.Error.Fields)
				}
			}
		})
	}
	list, _, err := env.store.ListScreenings(t.Context(), screening.ScreeningFilter{Limit: 10})
	if err != nil || len(list) != 0 {
		t.Fatalf("bad input stored %d screenings (%v)", len(list), err)
	}
}

func TestAuthAndRoles(t *testing.T) {
	env := newTestEnv(t)
	sales1, sales2 := env.key(screening.RoleSales), env.key(screening.RoleSales)
	reviewer := env.key(screening.RoleReviewer)
	var res screening.Result
	env.do("POST", "/v1/screenings", sales1, designInquiry("A-1"), &res)

	cases := []struct {
		name, method, path, key string
		status                  int
	}{
		{"no key", "GET", "/v1/screenings", "", 401},
		{"unknown key", "GET", "/v1/screenings", "hk_nope", 401},
		{"reviewer may not screen", "POST", "/v1/screenings", reviewer, 403},
		{"owner reads", "GET", "/v1/screenings/" + res.ID, sales1, 200},
		{"other sales key does not see it", "GET", "/v1/screenings/" + res.ID, sales2, 404},
		{"reviewer sees all", "GET", "/v1/screenings/" + res.ID, reviewer, 200},
		{"missing id", "GET", "/v1/screenings/scr_missing", reviewer, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = designInquiry("A-2")
			}
			var eb ErrorBody
			if resp := env.do(tc.method, tc.path, tc.key, body, &eb); resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %+v", resp.StatusCode, tc.status, eb)
			}
		})
	}
	// A revoked key stops working (after the key cache's few seconds; this server's is fresh).
	env2 := newTestEnv(t)
	secret, k, _ := env2.admin.CreateKey(t.Context(), screening.RoleSales, "x")
	if err := env2.admin.RevokeKey(t.Context(), k.ID); err != nil {
		t.Fatal(err)
	}
	if resp := env2.do("GET", "/v1/screenings", secret, nil, nil); resp.StatusCode != 401 {
		t.Fatalf("revoked key: %d", resp.StatusCode)
	}
}

func TestListScreeningsPagesAndFilters(t *testing.T) {
	env := newTestEnv(t)
	sales, reviewer := env.key(screening.RoleSales), env.key(screening.RoleReviewer)
	other := env.key(screening.RoleSales)
	for i := range 5 {
		inq := designInquiry(fmt.Sprintf("P-%d", i))
		if i%2 == 1 {
			inq["customer"].(map[string]any)["name"] = "株式会社テスト"
		}
		env.do("POST", "/v1/screenings", sales, inq, nil)
	}
	env.do("POST", "/v1/screenings", other, designInquiry("O-1"), nil)

	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page listPage[screeningView]
		resp := env.do("GET", "/v1/screenings?limit=2&cursor="+cursor, sales, nil, &page)
		if resp.StatusCode != 200 || pages > 5 {
			t.Fatalf("status %d after %d pages", resp.StatusCode, pages)
		}
		for _, s := range page.Items {
			if seen[s.ID] {
				t.Fatalf("%s listed twice", s.ID)
			}
			seen[s.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("sales key listed %d, want its own 5", len(seen))
	}
	var all, byCustomer listPage[screeningView]
	env.do("GET", "/v1/screenings?limit=100", reviewer, nil, &all)
	if len(all.Items) != 6 {
		t.Fatalf("reviewer listed %d, want 6", len(all.Items))
	}
	// Width and legal form do not matter for the customer filter.
	env.do("GET", "/v1/screenings?customer=%EF%BC%88%E6%A0%AA%EF%BC%89%E3%83%86%E3%82%B9%E3%83%88", reviewer, nil, &byCustomer)
	if len(byCustomer.Items) != 2 {
		t.Fatalf("customer filter gave %d, want 2", len(byCustomer.Items))
	}
	for _, q := range []string{"limit=0", "limit=abc", "since=tomorrow"} {
		if resp := env.do("GET", "/v1/screenings?"+q, reviewer, nil, nil); resp.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	env := newTestEnv(t)
	if resp := env.do("GET", "/healthz", "", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	if resp := env.do("GET", "/readyz", "", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("readyz %d", resp.StatusCode)
	}
	env.store.Close()
	if resp := env.do("GET", "/readyz", "", nil, nil); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("readyz with closed store: %d", resp.StatusCode)
	}
}

// A client that gives up (an ERP's timeout, a closed tab) gets no 500 and
// leaves no screening: the server's error log and 5xx count are for faults.
func TestClientThatLeftIsNotAServerError(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleERP)
	raw, err := json.Marshal(designInquiry("INQ-GONE"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "/v1/screenings", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	env.server.Handler().ServeHTTP(rec, req)
	if rec.Code != statusClientClosed {
		t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, statusClientClosed)
	}
	var page struct {
		Items []screening.Result `json:"items"`
	}
	if resp := env.do("GET", "/v1/screenings", key, nil, &page); resp.StatusCode != http.StatusOK {
		t.Fatalf("list status %d", resp.StatusCode)
	}
	if len(page.Items) != 0 {
		t.Errorf("%d screenings stored for a request whose client left, want none", len(page.Items))
	}
	// The same reference, sent again by a client that waits, is screened afresh.
	var res screening.Result
	if resp := env.do("POST", "/v1/screenings", key, designInquiry("INQ-GONE"), &res); resp.StatusCode != http.StatusCreated {
		t.Fatalf("retry status %d", resp.StatusCode)
	}
}

// TestAnswerJSONWritesWhatGinWould: the pooled answer is byte for byte what
// c.JSON writes (HTML escaped, no trailing newline), and a reused buffer
// leaves nothing of an earlier, longer answer behind.
func TestAnswerJSONWritesWhatGinWould(t *testing.T) {
	gin.SetMode(gin.TestMode)
	s := &Server{}
	values := []any{
		map[string]any{"name": strings.Repeat("長い名前 ", 200), "n": 1},
		map[string]any{"name": `<script>&"株式会社"</script>`, "flags": []string{}},
		screening.Result{ID: "scr_1", Flags: []screening.Flag{}},
	}
	for i, v := range values {
		want := httptest.NewRecorder()
		wc, _ := gin.CreateTestContext(want)
		wc.JSON(http.StatusCreated, v)
		got := httptest.NewRecorder()
		gc, _ := gin.CreateTestContext(got)
		s.answerJSON(gc, http.StatusCreated, v)
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("value %d: status %d %q, want %d %q", i, got.Code, got.Header().Get("Content-Type"), want.Code, want.Header().Get("Content-Type"))
		}
		if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Errorf("value %d: body\n%s\nwant\n%s", i, got.Body.Bytes(), want.Body.Bytes())
		}
	}
	bad := httptest.NewRecorder()
	bc, _ := gin.CreateTestContext(bad)
	bc.Request = httptest.NewRequest("POST", "/v1/screenings", nil)
	s.answerJSON(bc, http.StatusCreated, map[string]any{"f": func() {}})
	if bad.Code != http.StatusInternalServerError {
		t.Errorf("unencodable answer: status %d, want 500", bad.Code)
	}
}
