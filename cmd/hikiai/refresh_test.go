package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/memcache"
	"github.com/hikiai/hikiai/sources/refresh"
)

// listPublisher serves the UN and BIS fixtures with an ETag, as the
// publishers do, and counts requests.
func listPublisher(t *testing.T) (*httptest.Server, *sync.Map) {
	t.Helper()
	files := map[string]string{
		"/un/consolidated.xml": "../../testdata/lists/un_sc/un_fixture.xml",
		"/bis/dpl.txt":         "../../testdata/lists/bis_dpl/dpl_fixture.txt",
	}
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(int))
		*n.(*int)++
		path, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, len(b)))
		http.ServeContent(w, r, filepath.Base(path), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), bytes.NewReader(b))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestSourcesRefreshCommand(t *testing.T) {
	srv, _ := listPublisher(t)
	env := testEnv(t)
	env["HIKIAI_REFRESH_CATALOGUE"] = writeFile(t, "lists.yaml", fmt.Sprintf(`lists:
  - {source: un_sc, format: un_xml, files: [{name: consolidated.xml, url: %[1]s/un/consolidated.xml}]}
  - {source: bis_dpl, format: bis_dpl, files: [{name: dpl.txt, url: %[1]s/bis/dpl.txt}]}
  - {source: uk_fcdo, format: uk_xml, files: [{name: uk.xml, url: %[1]s/uk/moved.xml}]}
`, srv.URL))

	out, errOut, code := runCLI(t, env, "sources", "refresh")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (UK failed)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"un_sc: imported version", "bis_dpl: imported version", "uk_fcdo: FAILED: GET " + srv.URL + "/uk/moved.xml: 404"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "1 of 3 lists failed to refresh") {
		t.Errorf("stderr: %s", errOut)
	}
	out, _, _ = runCLI(t, env, "sources", "list")
	if !strings.Contains(out, "un_sc") || !strings.Contains(out, "bis_dpl") || strings.Contains(out, "uk_fcdo") {
		t.Errorf("sources list after the refresh:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if strings.HasSuffix(line, " -") {
			t.Errorf("sources list shows a refreshed list as never checked: %s", line)
		}
	}
	if _, err := os.Stat(filepath.Join(env["HIKIAI_DATA_DIR"], "lists", "un_sc", "consolidated.xml")); err != nil {
		t.Errorf("the UN file was not kept: %v", err)
	}

	out, errOut, code = runCLI(t, env, "sources", "refresh", "--only", "un_sc, bis_dpl")
	if code != 0 || strings.Count(out, "not modified at the publisher") != 2 {
		t.Fatalf("second refresh: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runCLI(t, env, "sources", "refresh", "--only", "un_sc", "--force")
	if code != 0 || !strings.Contains(out, "un_sc: downloaded, same entries as version") {
		t.Fatalf("forced refresh: exit %d\n%s", code, out)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sources", "refresh", "--only", "ofac"}, 2, `no list "ofac"`},
		{[]string{"sources", "refresh", "extra"}, 2, "sources refresh [--only"},
		{[]string{"sources", "refresh", "--catalogue", writeFile(t, "bad.yaml", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml}]}\n")}, 1, "lists[0].files[0]: url or page is required"},
		{[]string{"sources", "catalogue", "x"}, 2, "sources catalogue"},
	} {
		_, errOut, code := runCLI(t, env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
	out, _, code = runCLI(t, env, "sources", "catalogue")
	if code != 0 || !strings.Contains(out, "source: meti_eul") {
		t.Errorf("sources catalogue: exit %d\n%.200s", code, out)
	}
}

func TestConfigRefresh(t *testing.T) {
	catalogue := writeFile(t, "lists.yaml", "lists: []")
	tests := []struct {
		env, value string
		bad        bool
	}{
		{"HIKIAI_REFRESH_INTERVAL", "", false},
		{"HIKIAI_REFRESH_INTERVAL", "6h", false},
		{"HIKIAI_REFRESH_INTERVAL", "10m", true},
		{"HIKIAI_REFRESH_INTERVAL", "200h", true},
		{"HIKIAI_REFRESH_INTERVAL", "daily", true},
		{"HIKIAI_REFRESH_CATALOGUE", catalogue, false},
		{"HIKIAI_REFRESH_CATALOGUE", filepath.Dir(catalogue), true},
		{"HIKIAI_REFRESH_CATALOGUE", catalogue + ".missing", true},
	}
	for _, tt := range tests {
		c, err := LoadConfig(func(k string) string {
			if k == tt.env {
				return tt.value
			}
			return ""
		})
		if (err != nil) != tt.bad {
			t.Errorf("%s=%q: err %v, want bad=%v", tt.env, tt.value, err, tt.bad)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.env) {
			t.Errorf("%s=%q: error %q does not name the variable", tt.env, tt.value, err)
		}
		if tt.value == "6h" && c.RefreshEvery != 6*time.Hour {
			t.Errorf("RefreshEvery = %v", c.RefreshEvery)
		}
	}
}

// countingLists is a refresh.Store that takes every import.
type countingLists struct {
	mu      sync.Mutex
	imports int
}

func (c *countingLists) Import(context.Context, string, []string) (*refresh.Imported, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.imports++
	return &refresh.Imported{Version: fmt.Sprint(c.imports), Entries: 1}, nil
}

func (c *countingLists) Versions(context.Context) (map[string]string, error) { return nil, nil }

// TestScheduledRefresh: serve's refresher runs after its delay, counts each
// list's status, and stands aside while another replica holds the lock.
func TestScheduledRefresh(t *testing.T) {
	srv, hits := listPublisher(t)
	cat, err := refresh.ParseCatalogue(strings.NewReader(fmt.Sprintf(`lists:
  - {source: un_sc, format: un_xml, files: [{name: consolidated.xml, url: %[1]s/un/consolidated.xml}]}
  - {source: uk_fcdo, format: uk_xml, files: [{name: uk.xml, url: %[1]s/uk/moved.xml}]}
`, srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	locks := memcache.New(memcache.Options{})
	var logs bytes.Buffer
	var mu sync.Mutex
	observed := map[string]string{}
	store := &countingLists{}
	l := &listRefresher{
		refresher: &refresh.Refresher{Catalogue: cat, Fetcher: &refresh.Fetcher{Attempts: 1}, Store: store, Dir: t.TempDir()},
		locks:     locks, interval: time.Hour, delay: 10 * time.Millisecond,
		observe: func(source, status string, _ bool, _ time.Time) {
			mu.Lock()
			observed[source] = status
			mu.Unlock()
		},
		log: slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)),
	}

	release, ok, _ := locks.Lock(context.Background(), "refresh:lists", time.Minute)
	if !ok {
		t.Fatal("could not take the lock")
	}
	l.refreshOnce(context.Background())
	if _, ok := hits.Load("/un/consolidated.xml"); ok {
		t.Fatal("refreshed while another replica held the lock")
	}
	release()

	l.start(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(observed)
		mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.stop()
	mu.Lock()
	defer mu.Unlock()
	if observed["un_sc"] != refresh.StatusImported || observed["uk_fcdo"] != refresh.StatusFailed {
		t.Fatalf("observed %v, want un_sc imported and uk_fcdo failed", observed)
	}
	if store.imports != 1 {
		t.Errorf("%d imports, want 1", store.imports)
	}
	for _, want := range []string{"list refresh: another replica is at it", "un_sc: imported version 1", "list refresh failed; the list in force stays"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
