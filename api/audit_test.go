package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

func TestAuditEndpoint(t *testing.T) {
	env := newTestEnv(t, holdCheck{})
	admin, reviewer, sales := env.key(screening.RoleAdmin), env.key(screening.RoleReviewer), env.key(screening.RoleSales)
	res := env.screenHeld(sales, "INQ-A1", "review")
	env.do("POST", "/v1/cases/"+res.CaseID+"/decision", reviewer, decide("reject", "end use not credible"), nil)

	var page auditPage
	if resp := env.do("GET", "/v1/audit", admin, nil, &page); resp.StatusCode != 200 {
		t.Fatalf("audit: %d", resp.StatusCode)
	}
	// Three key creations, the screening, the decision.
	kinds := make([]string, len(page.Items))
	for i, r := range page.Items {
		kinds[i] = r.Kind
	}
	if got := strings.Join(kinds, ","); got != "key,key,key,screening,decision" || page.NextAfter != 0 {
		t.Fatalf("kinds %s next %d", got, page.NextAfter)
	}
	if seq, err := screening.VerifyChain(nil, page.Items); err != nil {
		t.Fatalf("the chain served by the API does not verify at %d: %v", seq, err)
	}

	var dec auditPage
	env.do("GET", "/v1/audit?kind=decision", admin, nil, &dec)
	if len(dec.Items) != 1 || dec.Items[0].Subject != res.CaseID || dec.Items[0].Actor == "" {
		t.Errorf("decisions %+v", dec.Items)
	}
	var p1, p2 auditPage
	env.do("GET", "/v1/audit?limit=2", admin, nil, &p1)
	env.do("GET", fmt.Sprintf("/v1/audit?limit=2&after=%d", p1.NextAfter), admin, nil, &p2)
	if len(p1.Items) != 2 || p1.NextAfter != p1.Items[1].Seq || len(p2.Items) != 2 || p2.Items[0].Seq != p1.NextAfter+1 {
		t.Errorf("paging: %+v then %+v", p1, p2)
	}
	var future auditPage
	env.do("GET", "/v1/audit?since="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), admin, nil, &future)
	if future.Items == nil || len(future.Items) != 0 {
		t.Errorf("since the future: %+v", future)
	}

	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=1001", "limit"}, {"after=-1", "after"}, {"since=soon", "since"}, {"kind=Key%20Change", "kind"},
	} {
		var eb ErrorBody
		if resp := env.do("GET", "/v1/audit?"+tc.query, admin, nil, &eb); resp.StatusCode != 400 || eb.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %+v", tc.query, resp.StatusCode, eb)
		}
	}
	if resp := env.do("GET", "/v1/audit", reviewer, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reviewer reading the audit log: %d, want 403", resp.StatusCode)
	}
	// Nothing in the API edits the trail.
	for _, m := range []string{"PUT", "PATCH", "DELETE", "POST"} {
		if resp := env.do(m, "/v1/audit", admin, `{}`, nil); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /v1/audit: %d, want 405", m, resp.StatusCode)
		}
	}
}

// TestAuditAdminSocket runs the CLI's audit operations through the admin
// socket handler and client, as `hikiai audit` does while a server holds the
// embedded store.
func TestAuditAdminSocket(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	local := &LocalAdmin{Store: st, Now: time.Now, Actor: "test"}
	ctx := context.Background()
	for i := range 3 {
		if _, _, err := local.CreateKey(ctx, screening.RoleSales, fmt.Sprintf("k%d <&>", i)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(AdminSocketHandler(local))
	sock := filepath.Join(dir, "admin.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	client := NewAdminClient(sock)

	rep, err := client.VerifyAudit(ctx)
	if err != nil || rep.Records != 3 || rep.BrokenSeq != 0 || rep.LastSeq != 3 {
		t.Fatalf("VerifyAudit = %+v, %v", rep, err)
	}
	recs, err := client.AuditRecords(ctx, screening.AuditFilter{AfterSeq: 1, Limit: 10})
	if err != nil || len(recs) != 2 || recs[0].Seq != 2 {
		t.Fatalf("AuditRecords = %+v, %v", recs, err)
	}
	// Records crossed the socket byte for byte: they still verify from their predecessor.
	first, _ := st.Audit(ctx, screening.AuditFilter{Limit: 1})
	if seq, err := screening.VerifyChain(&first[0], recs); err != nil {
		t.Errorf("records from the socket do not verify at %d: %v", seq, err)
	}
	if _, err := client.AuditRecords(ctx, screening.AuditFilter{Kind: "Bad Kind"}); screening.ErrorCode(err) != screening.EINVALID {
		t.Errorf("bad kind over the socket: %v", err)
	}
}

func TestVerifyAuditChainReportsFirstBrokenRecord(t *testing.T) {
	ctx := context.Background()
	st := &auditOnlyStore{}
	for i := range 2500 { // three pages
		st.add(screening.NewAuditRecord(time.Unix(int64(i), 0), screening.AuditKey, "cli", fmt.Sprint(i), nil))
	}
	rep, err := VerifyAuditChain(ctx, st)
	if err != nil || rep.BrokenSeq != 0 || rep.Records != 2500 || rep.LastSeq != 2500 {
		t.Fatalf("intact chain: %+v, %v", rep, err)
	}
	for _, tc := range []struct {
		name   string
		edit   func(r *screening.AuditRecord)
		at     int
		want   uint64
		reason string
	}{
		{"data edited on the second page", func(r *screening.AuditRecord) { r.Data = []byte(`{"x":1}`) }, 1200, 1201, "edited"},
		{"hash recomputed after an edit", func(r *screening.AuditRecord) { r.Actor = "someone"; r.Hash = r.ComputeHash() }, 1999, 2001, "prev_hash"},
		{"seq changed", func(r *screening.AuditRecord) { r.Seq = 99999 }, 0, 1, "expected sequence 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := &auditOnlyStore{recs: append([]screening.AuditRecord(nil), st.recs...)}
			tc.edit(&broken.recs[tc.at])
			rep, err := VerifyAuditChain(ctx, broken)
			if err != nil || rep.BrokenSeq != tc.want || !strings.Contains(rep.Problem, tc.reason) {
				t.Errorf("report %+v, %v; want broken at %d (%s)", rep, err, tc.want, tc.reason)
			}
		})
	}
}

// auditOnlyStore serves Audit from a slice, pages by position like a store
// keyed by sequence number (so an edited seq field does not move a record).
type auditOnlyStore struct {
	screening.Store
	recs []screening.AuditRecord
}

func (s *auditOnlyStore) add(r screening.AuditRecord) {
	var prev *screening.AuditRecord
	if len(s.recs) > 0 {
		prev = &s.recs[len(s.recs)-1]
	}
	r.Seal(prev)
	s.recs = append(s.recs, r)
}

func (s *auditOnlyStore) Audit(_ context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error) {
	start := int(min(f.AfterSeq, uint64(len(s.recs))))
	end := len(s.recs)
	if f.Limit > 0 {
		end = min(end, start+f.Limit)
	}
	return append([]screening.AuditRecord(nil), s.recs[start:end]...), nil
}

// The admin socket serves the runtime's profiles, so an operator can see
// where a slow server spends its time without a port open to anyone else.
func TestAdminSocketServesProfiles(t *testing.T) {
	h := AdminSocketHandler(&LocalAdmin{Now: time.Now, Actor: "test"})
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("GET %s: status %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/heap?debug=1", nil))
	if !strings.Contains(rec.Body.String(), "heap profile") {
		t.Errorf("heap profile page does not look like one: %.200s", rec.Body)
	}
}
