package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

// These tests drive the pages the way a browser without JavaScript does:
// plain GETs and form POSTs with a cookie jar.

func sessionCookie(t *testing.T, b *browser) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(b.site.url + "/ui/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "hikiai_session" {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func TestSignInMakesAHashedSessionWithSafeCookie(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	if p := b.get("/"); p.status != http.StatusSeeOther || p.location != "/ui/" {
		t.Fatalf("GET /: %d %q, want 303 to /ui/", p.status, p.location)
	}
	if p := b.get("/ui/check"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/ui/signin?next=") {
		t.Fatalf("GET /ui/check signed out: %d %q, want a redirect to sign in", p.status, p.location)
	}
	tok := b.csrf("/ui/signin")
	p := b.post("/ui/signin", url.Values{"csrf": {tok}, "api_key": {s.key(screening.RoleSales)}, "next": {"/ui/check"}})
	if p.status != http.StatusSeeOther || p.location != "/ui/check" {
		t.Fatalf("sign in: %d %q, want 303 to /ui/check", p.status, p.location)
	}
	var setCookie string
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "hikiai_session=") {
			setCookie = c
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/ui"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("session cookie %q lacks %s", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("session cookie over plain HTTP is Secure (the browser would drop it): %q", setCookie)
	}
	token := sessionCookie(t, b).Value
	if len(token) < 43 {
		t.Errorf("session token %q is shorter than 256 bits", token)
	}
	sum := sha256.Sum256([]byte(token))
	raw, ok, err := s.cache.Get(context.Background(), "web:session:"+hex.EncodeToString(sum[:]))
	if err != nil || !ok {
		t.Fatalf("no session record under the token's hash: ok=%v err=%v", ok, err)
	}
	if strings.Contains(string(raw), token) {
		t.Error("the session record contains the token itself")
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"key_id", "role", "csrf", "expires"} {
		if rec[k] == nil || rec[k] == "" {
			t.Errorf("session record lacks %s: %v", k, rec)
		}
	}
	if p := b.get("/ui/check"); p.status != http.StatusOK || !strings.Contains(p.body, `lang="ja"`) {
		t.Fatalf("GET /ui/check signed in: %d", p.status)
	}
}

func TestSessionCookieIsSecureBehindTLS(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	tok := b.csrf("/ui/signin")
	p := b.post("/ui/signin", url.Values{"csrf": {tok}, "api_key": {s.key(screening.RoleSales)}}, "X-Forwarded-Proto", "https")
	found := false
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "hikiai_session=") {
			found = true
			if !strings.Contains(c, "Secure") {
				t.Errorf("cookie over TLS is not Secure: %q", c)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie set (%d)", p.status)
	}
}

func TestSignInRefusals(t *testing.T) {
	s := newSite(t)
	erp := s.key(screening.RoleERP)
	revoked, k, err := s.admin.CreateKey(context.Background(), screening.RoleSales, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.admin.RevokeKey(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		key    string
		token  bool
		origin string
		status int
		says   string
	}{
		{"no CSRF token", s.key(screening.RoleSales), false, "", http.StatusForbidden, "有効期限"},
		{"other site", s.key(screening.RoleSales), true, "http://evil.example", http.StatusForbidden, "有効期限"},
		{"wrong key", "hk_nothing", true, "", http.StatusUnauthorized, "正しくない"},
		{"revoked key", revoked, true, "", http.StatusUnauthorized, "無効"},
		{"empty key", "", true, "", http.StatusUnprocessableEntity, "入力してください"},
		{"ERP key", erp, true, "", http.StatusForbidden, "ERP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser()
			form := url.Values{"api_key": {tc.key}}
			if tc.token {
				form.Set("csrf", b.csrf("/ui/signin"))
			}
			var hdr []string
			if tc.origin != "" {
				hdr = []string{"Origin", tc.origin}
			}
			p := b.post("/ui/signin", form, hdr...)
			if p.status != tc.status || !strings.Contains(p.body, tc.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", p.status, tc.status, tc.says, p.body)
			}
			if strings.Contains(strings.Join(p.header.Values("Set-Cookie"), ";"), "hikiai_session=hk") {
				t.Fatal("a session cookie was set")
			}
		})
	}
}

func TestPostsNeedTheSessionsCSRFToken(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn(s.key(screening.RoleSales))
	form := japaneseInquiry("深圳精密貿易有限公司")
	for _, tc := range []struct {
		name   string
		token  string
		header []string
	}{
		{"missing", "", nil},
		{"wrong", "not-the-token", nil},
		{"right token, other site", b.csrf("/ui/check"), []string{"Origin", "http://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tc.token != "" {
				f.Set("csrf", tc.token)
			}
			p := b.post("/ui/check", f, tc.header...)
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
		})
	}
	list, _, err := s.store.ListScreenings(context.Background(), screening.ScreeningFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Fatalf("%d screenings were made by refused posts", len(list))
	}
}

func TestSignOutAndRevocationEndSessions(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn(s.key(screening.RoleSales))
	old := sessionCookie(t, b)
	if p := b.post("/ui/signout", url.Values{"csrf": {b.csrf("/ui/check")}}); p.status != http.StatusSeeOther || p.location != "/ui/signin" {
		t.Fatalf("sign out: %d %q", p.status, p.location)
	}
	// The old cookie, replayed, no longer works.
	replay := s.browser()
	u, _ := url.Parse(s.url + "/ui/")
	replay.client.Jar.SetCookies(u, []*http.Cookie{{Name: old.Name, Value: old.Value, Path: "/ui"}})
	if p := replay.get("/ui/check"); p.status != http.StatusSeeOther {
		t.Fatalf("old session after sign-out: %d, want a redirect to sign in", p.status)
	}

	secret, k, err := s.admin.CreateKey(context.Background(), screening.RoleSales, "leaver")
	if err != nil {
		t.Fatal(err)
	}
	b2 := s.browser()
	b2.signIn(secret)
	if p := b2.get("/ui/check"); p.status != http.StatusOK {
		t.Fatalf("before revocation: %d", p.status)
	}
	if err := s.admin.RevokeKey(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	if p := b2.get("/ui/check"); p.status != http.StatusSeeOther {
		t.Fatalf("after revocation: %d, want a redirect to sign in", p.status)
	}
}

func TestRolesSeeTheirPages(t *testing.T) {
	s := newSite(t)
	sales, reviewer := s.browser(), s.browser()
	if p := sales.signIn(s.key(screening.RoleSales)); p.location != "/ui/" {
		t.Fatalf("sign in went to %q", p.location)
	}
	reviewer.signIn(s.key(screening.RoleReviewer))
	for _, tc := range []struct {
		b      *browser
		path   string
		status int
		to     string
	}{
		{sales, "/ui/", http.StatusSeeOther, "/ui/check"},
		{reviewer, "/ui/", http.StatusSeeOther, "/ui/cases"},
		{sales, "/ui/cases", http.StatusForbidden, ""},
		{reviewer, "/ui/check", http.StatusForbidden, ""},
		{reviewer, "/ui/cases", http.StatusOK, ""},
		{sales, "/ui/screenings", http.StatusOK, ""},
		{sales, "/ui/search?q=bei", http.StatusOK, ""},
		{sales, "/ui/screenings/scr_nothere", http.StatusNotFound, ""},
	} {
		p := tc.b.get(tc.path)
		if p.status != tc.status || (tc.to != "" && p.location != tc.to) {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, p.status, p.location, tc.status, tc.to)
		}
	}
}

func TestCheckWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn(s.key(screening.RoleSales))
	form := japaneseInquiry("深圳精密貿易有限公司")
	form.Set("csrf", b.csrf("/ui/check"))
	p := b.post("/ui/check", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/ui/screenings/scr_") {
		t.Fatalf("POST /ui/check: %d %q\n%s", p.status, p.location, p.body)
	}
	res := b.get(p.location)
	if res.status != http.StatusOK {
		t.Fatalf("result page: %d", res.status)
	}
	for _, want := range []string{
		"輸出管理担当の確認が必要です",  // the action in words
		"用途と製品スペックの不釣り合い", // the flag's METI title
		`data-code="spec_use_mismatch"`,
		"学校", // the Japanese message names the declared use
		"次にすること",
		`role="img"`, // the gauge is labelled
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if strings.Contains(res.body, "<script>") {
		t.Error("the result page has inline script")
	}
	// Another sales key cannot open it.
	other := s.browser()
	other.signIn(s.key(screening.RoleSales))
	if q := other.get(p.location); q.status != http.StatusNotFound {
		t.Errorf("another sales key opened the result: %d", q.status)
	}
}

func TestCheckFormShowsErrorsAndKeepsValues(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn(s.key(screening.RoleSales))
	form := url.Values{
		"csrf":                 {b.csrf("/ui/check")},
		"customer.country":     {"China"},
		"customer.email":       {"not-mail"},
		"items[0].product":     {"MC-5X200"},
		"items[0].quantity":    {"two"},
		"items[0].specs_other": {"travel_mm=500\nthis line has no value"},
		"end_use":              {"学校の実習用"},
	}
	p := b.post("/ui/check", form)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.status)
	}
	for _, want := range []string{"入力内容を確認してください", "数字で入力してください", "2 行目", `value="MC-5X200"`, "学校の実習用", `aria-invalid="true"`, `href="#f-items-0-quantity"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("form with errors lacks %q", want)
		}
	}
	// Numbers fixed: the engine's own checks answer next (name, country, e-mail).
	form.Set("items[0].quantity", "2")
	form.Set("items[0].specs_other", "travel_mm=500")
	p = b.post("/ui/check", form)
	for _, want := range []string{"会社名: 入力してください", "国は2文字のコード", "メールアドレスの形ではありません"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("engine errors: page lacks %q", want)
		}
	}
}

func TestReviewerDecidesWithAReason(t *testing.T) {
	s := newSite(t)
	sales := s.browser()
	sales.signIn(s.key(screening.RoleSales))
	form := japaneseInquiry("深圳精密貿易有限公司")
	form.Set("csrf", sales.csrf("/ui/check"))
	resultURL := sales.post("/ui/check", form).location

	rev := s.browser()
	rev.signIn(s.key(screening.RoleReviewer))
	caseURL := rev.firstCase()
	tok := rev.csrf(caseURL)
	p := rev.post(caseURL+"/decision", url.Values{"csrf": {tok}, "decision": {"clear"}, "reason": {"  "}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "理由を入力してください") {
		t.Fatalf("decision without reason: %d", p.status)
	}
	p = rev.post(caseURL+"/decision", url.Values{"csrf": {tok}, "decision": {"clear"}, "reason": {"顧客の学校に設置実績を確認した"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("decision: %d\n%s", p.status, p.body)
	}
	if page := rev.get(p.location); !strings.Contains(page.body, `data-status="cleared"`) || !strings.Contains(page.body, "記録しました") {
		t.Fatalf("case page after clearing does not show it cleared")
	}
	res := sales.get(resultURL)
	if !strings.Contains(res.body, `data-status="cleared"`) || !strings.Contains(res.body, "顧客の学校に設置実績を確認した") {
		t.Fatalf("sales result does not show the clearance")
	}
}

func TestSuggestRanksAndMarks(t *testing.T) {
	s := newSite(t)
	sales := s.key(screening.RoleSales)
	s.screenJSON(sales, map[string]any{"customer": map[string]any{"name": "Bei Star Trading"},
		"items": []any{map[string]any{"product": "X-1", "quantity": 1}}})
	b := s.browser()
	b.signIn(sales)
	p := b.get("/ui/suggest?q=" + url.QueryEscape("bei"))
	if p.status != http.StatusOK {
		t.Fatalf("suggest: %d", p.status)
	}
	var got struct {
		Counterparties []struct {
			Name  string
			Parts []struct {
				T string
				M bool
			}
		} `json:"counterparties"`
		ListEntries []struct {
			Name     string `json:"name"`
			List     string `json:"list"`
			EntryKey string `json:"entry_key"`
			Parts    []struct {
				T string `json:"t"`
				M bool   `json:"m"`
			} `json:"parts"`
		} `json:"list_entries"`
	}
	if err := json.Unmarshal([]byte(p.body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.ListEntries) != 1 || got.ListEntries[0].EntryKey != "meti_eul:501" || got.ListEntries[0].List != "経済産業省 外国ユーザーリスト" {
		t.Fatalf("list entries (one line per entry): %+v", got.ListEntries)
	}
	if p := got.ListEntries[0].Parts; len(p) == 0 || !p[0].M || p[0].T != "Bei" {
		t.Errorf("matched characters not marked: %+v", p)
	}
	if len(got.Counterparties) == 0 || got.Counterparties[0].Name != "Bei Star Trading" {
		t.Errorf("known counterparty missing: %+v", got.Counterparties)
	}
	// Japanese names: marks fall on whole characters.
	p = b.get("/ui/search?q=" + url.QueryEscape("北京大学"))
	if !strings.Contains(p.body, "<mark>北京</mark>航空航天<mark>大学</mark>") {
		t.Errorf("search page does not mark 北京…大学:\n%s", p.body)
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn(s.key(screening.RoleSales))
	p := b.get("/ui/lang?to=en&next=" + url.QueryEscape("/ui/check"))
	if p.status != http.StatusSeeOther || p.location != "/ui/check" {
		t.Fatalf("switch: %d %q", p.status, p.location)
	}
	page := b.get("/ui/check")
	if !strings.Contains(page.body, `lang="en"`) || !strings.Contains(page.body, "Check an inquiry") {
		t.Fatal("the page is not in English after the switch")
	}
	if p := b.get("/ui/lang?to=ja&next=" + url.QueryEscape("https://evil.example/")); p.location != "/ui/" {
		t.Errorf("switch followed an outside next: %q", p.location)
	}
}

func TestCounterpartyPageShowsSharedContacts(t *testing.T) {
	s := newSite(t)
	sales := s.key(screening.RoleSales)
	for _, name := range []string{"Alpha Machinery Trading", "Beta Industrial Supply", "Gamma Tech Import"} {
		s.screenJSON(sales, map[string]any{
			"customer": map[string]any{"name": name, "country": "CN", "email": "buy@shared-desk.example.cn", "phone": "+86 21 5555 0100"},
			"items":    []any{map[string]any{"product": "INV-900", "quantity": 1}}})
	}
	b := s.browser()
	b.signIn(s.key(screening.RoleReviewer))
	p := b.get("/ui/counterparty?name=" + url.QueryEscape("Alpha Machinery Trading"))
	if p.status != http.StatusOK {
		t.Fatalf("counterparty page: %d", p.status)
	}
	for _, want := range []string{"buy@shared-desk.example.cn", "Beta Industrial Supply", "Gamma Tech Import", `class="node"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("counterparty page lacks %q", want)
		}
	}
}

func TestReviewerSuppressesAFalseHit(t *testing.T) {
	s := newSite(t)
	res := s.screenJSON(s.key(screening.RoleSales), map[string]any{
		"customer": map[string]any{"name": "Beihang University", "country": "CN"},
		"items":    []any{map[string]any{"product": "INV-900", "quantity": 1}},
	})
	caseURL := "/ui/cases/" + res["case_id"].(string)
	rev := s.browser()
	rev.signIn(s.key(screening.RoleReviewer))
	page := rev.get(caseURL)
	if !strings.Contains(page.body, `name="entry_key" value="meti_eul:501"`) || !strings.Contains(page.body, "Beijing University of Aeronautics and Astronautics") {
		t.Fatalf("case page lacks the suppression form or the list entry beside the evidence")
	}
	tok := rev.csrf(caseURL)
	p := rev.post(caseURL+"/suppressions", url.Values{"csrf": {tok}, "entry_key": {"meti_eul:501"}, "party": {"customer"}, "reason": {""}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "理由を入力してください") {
		t.Fatalf("suppression without reason: %d", p.status)
	}
	p = rev.post(caseURL+"/suppressions", url.Values{"csrf": {tok}, "entry_key": {"meti_eul:501"}, "party": {"customer"}, "reason": {"同名の別法人（登記簿で確認）"}})
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "?done=suppressed") {
		t.Fatalf("suppression: %d %q\n%s", p.status, p.location, p.body)
	}
	sups, err := s.store.Suppressions(context.Background(), "beihang university")
	if err != nil || len(sups) != 1 || sups[0].EntryKey != "meti_eul:501" {
		t.Fatalf("stored suppressions %+v, %v", sups, err)
	}
	if page := rev.get(p.location); !strings.Contains(page.body, "誤検知として登録しました") {
		t.Error("no confirmation after suppressing")
	}
}

// A hit on a name read out of another's brackets shows the list's own form
// of it, in the evidence and beside the entry's names.
func TestCaseShowsTheListedFormOfASpelling(t *testing.T) {
	s := newSite(t)
	res := s.screenJSON(s.key(screening.RoleSales), map[string]any{
		"customer": map[string]any{"name": "Oleg Morhun", "country": "RU"},
		"items":    []any{map[string]any{"product": "INV-900", "quantity": 1}},
	})
	rev := s.browser()
	rev.signIn(s.key(screening.RoleReviewer))
	page := rev.get("/ui/cases/" + res["case_id"].(string))
	for _, want := range []string{"リストの表記（この中の括弧から読んだ名前）", "括弧内から読んだ名前。リストの表記: Oleh (Oleg) MORHUN", "<mark>Oleg MORHUN</mark>"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

// undecidedCheck stands for a check that ran without the data it needs (a
// website that timed out, lists not loaded): it decides nothing and says why.
type undecidedCheck struct{}

func (undecidedCheck) Code() string { return "no_website" }
func (undecidedCheck) Run(context.Context, *screening.Input) ([]screening.Flag, error) {
	return nil, &screening.Degraded{Reason: "website check timed out (test)"}
}

// TestPagesShowWhatCouldNotBeChecked: a screening with a check that could not
// decide is held, and both the sales result and the reviewer's case page say
// what was not checked.
func TestPagesShowWhatCouldNotBeChecked(t *testing.T) {
	s := newSiteWith(t, undecidedCheck{})
	sales := s.browser()
	sales.signIn(s.key(screening.RoleSales))
	form := japaneseInquiry("東和精機株式会社")
	form.Set("end_use", "金型加工")
	form.Set("csrf", sales.csrf("/ui/check"))
	p := sales.post("/ui/check", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST /ui/check: %d\n%s", p.status, p.body)
	}
	res := sales.get(p.location)
	for _, want := range []string{`id="reasons-h"`, "確認できなかったこと", "no_website: website check timed out (test)"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if strings.Contains(res.body, `class="verdict verdict-proceed"`) {
		t.Error("a screening with an undecided check was let through")
	}

	rev := s.browser()
	rev.signIn(s.key(screening.RoleReviewer))
	rev.get("/ui/lang?to=en&next=" + url.QueryEscape("/ui/cases")) // the reviewer reads English
	page := rev.get(rev.firstCase())
	for _, want := range []string{`id="reasons-h"`, "What could not be checked", "no_website: website check timed out (test)"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

// firstCase returns the address of the first case in the reviewer's queue.
func (b *browser) firstCase() string {
	b.t.Helper()
	queue := b.get("/ui/cases")
	i := strings.Index(queue.body, `href="/ui/cases/case_`)
	if i < 0 {
		b.t.Fatalf("no case in the queue:\n%s", queue.body)
	}
	return queue.body[i+len(`href="`) : i+strings.Index(queue.body[i:], `">`)]
}
