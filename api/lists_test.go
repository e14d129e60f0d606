package api

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

const metiCSV = "No,国名・地域名,企業名・組織名,別名,懸念区分,通常兵器\n" +
	"1,中華人民共和国,Beijing University of Aeronautics and Astronautics,Beihang University・BUAA,M,\n" +
	"2,ロシア,Joint Stock Company Rosoboronexport,JSC Rosoboronexport,\"B,C,M,N\",CW\n" +
	"9,北朝鮮,Korea Mining Development Trading Corporation (KOMID),,\"B,C,M,N\",CW\n"

// importFixture writes a METI CSV and imports it, then loads it into the server's lists.
func (e *testEnv) importFixture(content string) *ImportResult {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "meti.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	res, err := e.admin.ImportLists(e.t.Context(), "", []string{path})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.server.lists.Reload(e.t.Context(), e.store, time.Now()); err != nil {
		e.t.Fatal(err)
	}
	return res
}

func TestImportAndListSources(t *testing.T) {
	env := newTestEnv(t)
	res := env.importFixture(metiCSV)
	if res.Source != "meti_eul" || res.Entries != 3 || res.Added != 3 || res.Unchanged {
		t.Fatalf("import %+v", res)
	}
	again := env.importFixture(metiCSV)
	if !again.Unchanged || again.Version != res.Version {
		t.Fatalf("re-import of the same file: %+v", again)
	}
	// Every added entry is recorded for re-screening (the service may be
	// stopped: its next start re-screens them), as the service's lists
	// write it; a re-import of the same file records nothing more.
	pendingFor := func(entries ...string) []string {
		var items []string
		set := env.server.lists.Current()
		for _, key := range entries {
			e, ok := set.Entry(key)
			if !ok {
				t.Fatalf("entry %s not loaded", key)
			}
			items = append(items, screening.PendingItem(key, e.ContentHash()))
		}
		slices.Sort(items)
		return items
	}
	if got, err := env.store.RescreenPending(t.Context()); err != nil || !slices.Equal(got, pendingFor("meti_eul:1", "meti_eul:2", "meti_eul:9")) {
		t.Fatalf("pending after the first import: %v, %v", got, err)
	}
	changed := env.importFixture(metiCSV + "3,イラン,Iran Electronics Industries,IEI,\"B,C,M,N\",CW\n")
	if changed.Added != 1 || changed.PreviousVersion != res.Version {
		t.Fatalf("changed import %+v", changed)
	}
	if got, err := env.store.RescreenPending(t.Context()); err != nil || !slices.Equal(got, pendingFor("meti_eul:1", "meti_eul:2", "meti_eul:3", "meti_eul:9")) {
		t.Fatalf("pending after adding an entry: %v, %v", got, err)
	}
	var out struct {
		Version string     `json:"version"`
		Lists   []listInfo `json:"lists"`
	}
	if resp := env.do("GET", "/v1/lists", env.key(screening.RoleSales), nil, &out); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(out.Lists) != 1 || out.Lists[0].Entries != 4 || !out.Lists[0].Loaded || out.Lists[0].NameJA == "" || out.Version == "" {
		t.Fatalf("lists %+v", out)
	}
	audit, err := env.store.Audit(t.Context(), screening.AuditFilter{Kind: screening.AuditListImport})
	if err != nil || len(audit) != 2 {
		t.Fatalf("list import audit records: %d (%v), want 2 (the unchanged import writes none)", len(audit), err)
	}
}

func TestMalformedImportKeepsPreviousSnapshot(t *testing.T) {
	env := newTestEnv(t)
	good := env.importFixture(metiCSV)
	bad := filepath.Join(t.TempDir(), "meti.csv")
	if err := os.WriteFile(bad, []byte(metiCSV+"4,中国,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := env.admin.ImportLists(t.Context(), "meti_eul_csv", []string{bad})
	if err == nil || screening.ErrorCode(err) != screening.EUNPROCESSABLE {
		t.Fatalf("malformed file: %v", err)
	}
	snap, err := env.store.Snapshot(t.Context(), "meti_eul")
	if err != nil || snap.Version != good.Version {
		t.Fatalf("previous snapshot not in force: %v %v", snap, err)
	}
}

func TestSearchExplainsMatches(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleSales)
	var eb ErrorBody
	if resp := env.do("GET", "/v1/search?q=Beihang", key, nil, &eb); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("search before any list is loaded: %d", resp.StatusCode)
	}
	env.importFixture(metiCSV)
	var out struct {
		Results []struct {
			EntryKey    string         `json:"entry_key"`
			Match       bool           `json:"match"`
			Explanation jsonComparison `json:"explanation"`
		} `json:"results"`
	}
	if resp := env.do("GET", "/v1/search?q=ROSOBORONEXPORT%20OAO&country=RU&limit=5", key, nil, &out); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(out.Results) == 0 || out.Results[0].EntryKey != "meti_eul:2" || !out.Results[0].Match || len(out.Results[0].Explanation.Pairs) == 0 {
		t.Fatalf("results %+v", out.Results)
	}
	// A short form the list writes in brackets is a (weak) name of its own,
	// and the answer says how the list writes it.
	var short struct {
		Results []struct {
			EntryKey        string `json:"entry_key"`
			MatchedName     string `json:"matched_name"`
			MatchedNameFrom string `json:"matched_name_from"`
			WeakAlias       bool   `json:"weak_alias"`
			Match           bool   `json:"match"`
		} `json:"results"`
	}
	if resp := env.do("GET", "/v1/search?q=KOMID", key, nil, &short); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if r := short.Results; len(r) == 0 || r[0].EntryKey != "meti_eul:9" || !r[0].Match || !r[0].WeakAlias || r[0].MatchedName != "KOMID" ||
		r[0].MatchedNameFrom != "Korea Mining Development Trading Corporation (KOMID)" {
		t.Fatalf("KOMID: %+v", short.Results)
	}
	for _, q := range []string{"q=", "q=x&limit=0", "q=x&country=Russia"} {
		if resp := env.do("GET", "/v1/search?"+q, key, nil, &eb); resp.StatusCode != 400 {
			t.Errorf("%s: %d", q, resp.StatusCode)
		}
	}
}

func TestCompareNames(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleERP)
	var c jsonComparison
	if resp := env.do("POST", "/v1/names/compare", key, map[string]string{"a": "株式会社東京精機", "b": "東京精機（株）"}, &c); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !c.Match || c.Score < c.Threshold || c.Explanation == "" {
		t.Fatalf("legal forms should not matter: %+v", c)
	}
	if env.do("POST", "/v1/names/compare", key, map[string]string{"a": "Tokyo Trading", "b": "Osaka Trading"}, &c); c.Match {
		t.Fatalf("a generic word alone matched: %+v", c)
	}
	var eb ErrorBody
	if resp := env.do("POST", "/v1/names/compare", key, `{"a":""}`, &eb); resp.StatusCode != 400 || eb.Error.Fields["a"] == "" || eb.Error.Fields["b"] == "" {
		t.Fatalf("missing names: %d %+v", resp.StatusCode, eb)
	}
}

// jsonComparison is names.Comparison as a client reads it.
type jsonComparison struct {
	Score       float64 `json:"score"`
	Match       bool    `json:"match"`
	Threshold   float64 `json:"threshold"`
	Explanation string  `json:"explanation"`
	Pairs       []struct {
		A, B, Via, Class string
		Similarity       float64
	} `json:"pairs"`
}
