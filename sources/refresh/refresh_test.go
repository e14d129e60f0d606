package refresh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/sources"
)

// publisher serves list files the way the publishers do: with an ETag and
// Last-Modified, answering 304 to a request that carries the current ones.
type publisher struct {
	mu           sync.Mutex
	files        map[string][]byte
	fail         map[string]int // answer this many 503s first
	status       map[string]int // always answer this status
	noValidators bool
	hits         map[string][]int // statuses answered, by path
	conditional  map[string]int   // requests that carried If-None-Match or If-Modified-Since
}

func newPublisher() *publisher {
	return &publisher{files: map[string][]byte{}, fail: map[string]int{}, status: map[string]int{},
		hits: map[string][]int{}, conditional: map[string]int{}}
}

func (p *publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	code := p.answer(w, r)
	p.hits[r.URL.Path] = append(p.hits[r.URL.Path], code)
}

func (p *publisher) answer(w http.ResponseWriter, r *http.Request) int {
	path := r.URL.Path
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		p.conditional[path]++
	}
	if c := p.status[path]; c != 0 {
		w.WriteHeader(c)
		return c
	}
	if p.fail[path] > 0 {
		p.fail[path]--
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	}
	body, ok := p.files[path]
	if !ok {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if !p.noValidators {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Mon, 24 Nov 2026 09:00:00 GMT")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
	return http.StatusOK
}

func (p *publisher) put(path string, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files[path] = body
}

// took returns and forgets the statuses answered for path.
func (p *publisher) took(path string) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hits[path]
	delete(p.hits, path)
	return h
}

// parsingStore imports with the real parsers, as `hikiai sources import` does,
// and keeps the versions in force.
type parsingStore struct {
	versions map[string]string
	imports  []string
}

func (s *parsingStore) Import(ctx context.Context, format string, files []string) (*Imported, error) {
	src, entries, err := sources.Parse(ctx, format, files...)
	if err != nil {
		return nil, err
	}
	snap := sources.Snapshot(src, entries, nil, time.Now())
	s.imports = append(s.imports, src)
	res := &Imported{Version: snap.Version, Entries: snap.Count, Unchanged: s.versions[src] == snap.Version}
	s.versions[src] = snap.Version
	return res, nil
}

func (s *parsingStore) Versions(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range s.versions {
		out[k] = v
	}
	return out, nil
}

func fixture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lists", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testRefresher serves the fixtures of three lists: OFAC (four files), UN
// (one file) and METI (a CSV found through an index page, as on METI's site).
func testRefresher(t *testing.T) (*Refresher, *publisher, *parsingStore) {
	t.Helper()
	pub := newPublisher()
	srv := httptest.NewServer(pub)
	t.Cleanup(srv.Close)
	for _, n := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
		pub.put("/ofac/"+n, fixture(t, "ofac_sdn/"+n))
	}
	pub.put("/un/consolidated.xml", fixture(t, "un_sc/un_fixture.xml"))
	pub.put("/meti/20250929_4.csv", fixture(t, "meti_eul/eul_fixture.csv"))
	pub.put("/meti/20240101_1.csv", []byte("an older revision, never read"))
	pub.put("/meti/law00.html", []byte(`<html><body><ul>
		<li>外国ユーザーリスト（2024年1月1日） <a href="20240101_1.csv">CSV</a></li>
		<li>外国ユーザーリスト（2025年9月29日） <a href="./20250929_4.csv">CSV</a></li>
		<li><a href="list.pdf">PDF</a></li></ul></body></html>`))
	yaml := fmt.Sprintf(`lists:
  - source: ofac_sdn
    format: ofac_csv
    files:
      - {name: sdn.csv, url: %[1]s/ofac/sdn.csv}
      - {name: add.csv, url: %[1]s/ofac/add.csv}
      - {name: alt.csv, url: %[1]s/ofac/alt.csv}
      - {name: sdn_comments.csv, url: %[1]s/ofac/sdn_comments.csv}
  - source: un_sc
    format: un_xml
    files:
      - {name: consolidated.xml, url: %[1]s/un/consolidated.xml}
  - source: meti_eul
    format: meti_eul_csv
    files:
      - {name: meti_eul.csv, page: %[1]s/meti/law00.html, link: '(\d{8})_\d+\.csv$'}
`, srv.URL)
	cat, err := ParseCatalogue(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	store := &parsingStore{versions: map[string]string{}}
	r := &Refresher{
		Catalogue: cat,
		Fetcher: &Fetcher{Backoff: time.Millisecond,
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }},
		Store: store,
		Dir:   t.TempDir(),
	}
	return r, pub, store
}

func run(t *testing.T, r *Refresher) map[string]Outcome {
	t.Helper()
	outs, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(r.Catalogue.Lists) {
		t.Fatalf("%d outcomes for %d lists", len(outs), len(r.Catalogue.Lists))
	}
	m := map[string]Outcome{}
	for _, o := range outs {
		m[o.Source] = o
	}
	return m
}

func wantStatus(t *testing.T, outs map[string]Outcome, want map[string]string) {
	t.Helper()
	for src, status := range want {
		if o := outs[src]; o.Status != status {
			t.Errorf("%s: status %s (err %v), want %s", src, o.Status, o.Err, status)
		}
	}
}

func TestRefreshImportsOnlyWhatChanged(t *testing.T) {
	r, pub, store := testRefresher(t)

	// First run: everything is new.
	outs := run(t, r)
	wantStatus(t, outs, map[string]string{"ofac_sdn": StatusImported, "un_sc": StatusImported, "meti_eul": StatusImported})
	if got := outs["meti_eul"].Files[0].URL; !strings.HasSuffix(got, "/meti/20250929_4.csv") {
		t.Errorf("METI: took %s, want the newest revision", got)
	}
	if n := outs["ofac_sdn"].Imported.Entries; n != 4 {
		t.Errorf("OFAC: %d entries, want 4", n)
	}
	if len(pub.took("/meti/20240101_1.csv")) != 0 {
		t.Error("the older METI revision was downloaded")
	}
	for _, f := range []string{"state.json", "ofac_sdn/sdn.csv", "ofac_sdn/sdn_comments.csv", "un_sc/consolidated.xml", "meti_eul/meti_eul.csv"} {
		if !exists(filepath.Join(r.Dir, f)) {
			t.Errorf("%s was not kept", f)
		}
	}
	if got := LastChecked(r.Dir); len(got) != 3 || got["un_sc"].IsZero() {
		t.Errorf("LastChecked = %v, want the three lists", got)
	}
	v1, _ := store.Versions(context.Background())
	pub.took("/ofac/sdn.csv")
	pub.took("/un/consolidated.xml")

	// Second run: every publisher answers 304 and nothing is imported.
	store.imports = nil
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"ofac_sdn": StatusNotModified, "un_sc": StatusNotModified, "meti_eul": StatusNotModified})
	if len(store.imports) != 0 {
		t.Errorf("imported %v with nothing changed", store.imports)
	}
	if got := pub.took("/ofac/sdn.csv"); len(got) != 1 || got[0] != http.StatusNotModified {
		t.Errorf("sdn.csv answered %v, want one 304", got)
	}

	// OFAC changes one file: the set is imported with the other three from disk.
	alt := strings.TrimSuffix(string(fixture(t, "ofac_sdn/alt.csv")), "\x1a") // OFAC ends its files with ^Z
	pub.put("/ofac/alt.csv", []byte(alt+"90103,2099,\"aka\",\"NEW ALIAS TRADING CO.\",-0-\r\n\x1a"))
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"ofac_sdn": StatusImported, "un_sc": StatusNotModified, "meti_eul": StatusNotModified})
	for _, f := range outs["ofac_sdn"].Files {
		if f.NotModified != (f.Name != "alt.csv") {
			t.Errorf("%s: not modified %v", f.Name, f.NotModified)
		}
	}
	v2, _ := store.Versions(context.Background())
	if v2["ofac_sdn"] == v1["ofac_sdn"] || v2["un_sc"] != v1["un_sc"] {
		t.Errorf("versions %v -> %v: want a new OFAC version only", v1, v2)
	}
	if got, _ := os.ReadFile(filepath.Join(r.Dir, "ofac_sdn", "alt.csv")); !strings.Contains(string(got), "NEW ALIAS") {
		t.Error("the new alt.csv was not kept")
	}

	// A revision that does not parse is refused whole: the version in force,
	// the kept file and its validators stay as they were.
	unBefore, _ := os.ReadFile(filepath.Join(r.Dir, "un_sc", "consolidated.xml"))
	pub.put("/un/consolidated.xml", []byte("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"))
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"un_sc": StatusFailed, "ofac_sdn": StatusNotModified})
	var perr *sources.ParseError
	if err := outs["un_sc"].Err; !errors.As(err, &perr) || !strings.Contains(err.Error(), "consolidated.xml") {
		t.Errorf("UN: err %v, want a parse error naming the file", err)
	}
	if v, _ := store.Versions(context.Background()); v["un_sc"] != v1["un_sc"] {
		t.Error("a refused revision changed the version in force")
	}
	if got, _ := os.ReadFile(filepath.Join(r.Dir, "un_sc", "consolidated.xml")); string(got) != string(unBefore) {
		t.Error("a refused revision replaced the kept file")
	}
	leftovers, _ := filepath.Glob(filepath.Join(r.Dir, "*", ".*"))
	if len(leftovers) != 0 {
		t.Errorf("left behind %v", leftovers)
	}
	// The publisher puts the good file back: it is the one kept, so 304.
	pub.put("/un/consolidated.xml", unBefore)
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"un_sc": StatusNotModified})

	// Someone imports UN by hand: the kept validators say nothing about what
	// is in force, so the file is asked for whole and imported again.
	store.versions["un_sc"] = "imported-by-hand"
	pub.mu.Lock()
	pub.conditional = map[string]int{}
	pub.mu.Unlock()
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"un_sc": StatusImported})
	if pub.conditional["/un/consolidated.xml"] != 0 {
		t.Error("asked conditionally for a list the store no longer holds as refreshed")
	}
	if v, _ := store.Versions(context.Background()); v["un_sc"] != v1["un_sc"] {
		t.Error("the re-import did not bring back the published version")
	}
}

func TestRefreshWithoutValidators(t *testing.T) {
	r, pub, store := testRefresher(t)
	pub.noValidators = true
	// A refresh that was killed left its scratch folder behind.
	killed := filepath.Join(r.Dir, "un_sc", ".incoming-killed")
	if err := os.MkdirAll(killed, 0o750); err != nil {
		t.Fatal(err)
	}
	run(t, r)
	if exists(killed) {
		t.Error("a killed refresh's scratch folder was left")
	}
	store.imports = nil
	// The same bytes again: nothing to parse.
	outs := run(t, r)
	wantStatus(t, outs, map[string]string{"ofac_sdn": StatusNotModified, "un_sc": StatusNotModified, "meti_eul": StatusNotModified})
	if len(store.imports) != 0 {
		t.Errorf("imported %v with the same bytes", store.imports)
	}
	// --force imports anyway, and an unchanged list says so.
	r.Force = true
	outs = run(t, r)
	wantStatus(t, outs, map[string]string{"ofac_sdn": StatusUnchanged, "un_sc": StatusUnchanged, "meti_eul": StatusUnchanged})
}

func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*Refresher, *publisher)
		source string
		want   string // in the error
		tries  int    // requests for the failing path
	}{
		{"503 twice, then the file", func(_ *Refresher, p *publisher) { p.fail["/un/consolidated.xml"] = 2 },
			"un_sc", "", 3},
		{"503 every time", func(_ *Refresher, p *publisher) { p.status["/un/consolidated.xml"] = 503 },
			"un_sc", "gave up after 3 tries", 3},
		{"404 is not tried again", func(_ *Refresher, p *publisher) { p.status["/un/consolidated.xml"] = 404 },
			"un_sc", "404 Not Found", 1},
		{"one OFAC file missing", func(_ *Refresher, p *publisher) { p.status["/ofac/add.csv"] = 404 },
			"ofac_sdn", "/ofac/add.csv: 404", 1},
		{"the page lost its link", func(_ *Refresher, p *publisher) {
			p.put("/meti/law00.html", []byte(`<a href="list.pdf">PDF</a>`))
		}, "meti_eul", "has no link", 0},
		{"larger than allowed", func(r *Refresher, _ *publisher) { r.Fetcher.MaxBytes = 2000 }, // the UN file has 3,841
			"un_sc", "more than the 2000", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, pub, store := testRefresher(t)
			tt.setup(r, pub)
			outs := run(t, r)
			o := outs[tt.source]
			if tt.want == "" {
				if o.Status != StatusImported {
					t.Fatalf("status %s (%v), want imported", o.Status, o.Err)
				}
			} else {
				if o.Status != StatusFailed || o.Err == nil || !strings.Contains(o.Err.Error(), tt.want) {
					t.Fatalf("status %s, err %v; want failed with %q", o.Status, o.Err, tt.want)
				}
				if _, ok := store.versions[tt.source]; ok {
					t.Error("a failed list reached the store")
				}
				if _, ok := LastChecked(r.Dir)[tt.source]; ok {
					t.Error("a failed list counts as checked")
				}
			}
			if tt.tries > 0 {
				path := map[string]string{"un_sc": "/un/consolidated.xml", "ofac_sdn": "/ofac/add.csv"}[tt.source]
				if got := len(pub.took(path)); got != tt.tries {
					t.Errorf("%d requests, want %d", got, tt.tries)
				}
			}
			// The other lists were refreshed all the same.
			for src, o := range outs {
				if src != tt.source && o.Status != StatusImported {
					t.Errorf("%s: %s (%v), want imported", src, o.Status, o.Err)
				}
			}
			left, _ := filepath.Glob(filepath.Join(r.Dir, "*", ".*"))
			if len(left) != 0 {
				t.Errorf("left behind %v", left)
			}
		})
	}
}

func TestRefreshOneAtATime(t *testing.T) {
	r, _, _ := testRefresher(t)
	if err := os.MkdirAll(r.Dir, 0o750); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockDir(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "another refresh") {
		t.Fatalf("err = %v, want another refresh is running", err)
	}
	unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if outs, err := r.Run(ctx); !errors.Is(err, context.Canceled) || len(outs) != 0 {
		t.Fatalf("cancelled run: %d outcomes, err %v", len(outs), err)
	}
}

func TestNoDowngrade(t *testing.T) {
	req := func(u string) *http.Request { r, _ := http.NewRequest("GET", u, nil); return r }
	if err := noDowngrade(req("http://x/a"), []*http.Request{req("https://x/a")}); err == nil {
		t.Error("https -> http was followed")
	}
	if err := noDowngrade(req("https://y/a"), []*http.Request{req("https://x/a")}); err != nil {
		t.Errorf("https -> https: %v", err)
	}
	via := make([]*http.Request, 10)
	for i := range via {
		via[i] = req("https://x/a")
	}
	if err := noDowngrade(req("https://y/a"), via); err == nil {
		t.Error("an eleventh redirect was followed")
	}
}
