package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/api/webhook"
	"github.com/hikiai/hikiai/api/webhook/webhooktest"
	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
)

// flowHoldCheck holds an inquiry whose end_use says so, so that the flow does
// not depend on which real checks exist: "hold:review" gives 30 points.
type flowHoldCheck struct{}

func (flowHoldCheck) Code() string { return "test_hold" }

func (flowHoldCheck) Run(_ context.Context, in *screening.Input) ([]screening.Flag, error) {
	if in.Inquiry.EndUse != "hold:review" {
		return nil, nil
	}
	return []screening.Flag{{Code: "test_hold", Severity: screening.SeverityMedium, Points: 30, Party: screening.RoleCustomer,
		Message: "held by the test", MessageJA: "テストで保留", Evidence: map[string]any{"end_use": in.Inquiry.EndUse}}}, nil
}

// flowClock is the injected clock of the whole flow: the dispatcher's leases
// and back-off move only when the test says.
type flowClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *flowClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *flowClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// flowStack is one "process": a backend opened as serve opens it, and the API on it.
type flowStack struct {
	b   *backend
	api *httptest.Server
}

func (s *flowStack) close(t *testing.T) {
	t.Helper()
	s.api.Close()
	if err := s.b.close(); err != nil {
		t.Fatalf("close backend: %v", err)
	}
}

// crashAfterPost is a store whose process dies between posting a delivery
// and recording the attempt.
type crashAfterPost struct{ screening.Store }

func (crashAfterPost) UpdateDelivery(context.Context, *screening.Delivery) error {
	return errors.New("process killed before recording the attempt")
}

// flowRedisDB is the Redis database the flow uses: the CLI's store has no key
// prefix, so the flow keeps to a database of its own on the test server.
const flowRedisDB = 13

// TestCaseWebhookAuditFlow is issue 5's whole path on both store backends:
// screen, a case opens, reviewers decide (ten at once on a second case: one
// wins), a receiver on 127.0.0.1 gets signed events, the dispatcher is stopped
// mid-delivery, the store reopened and a delivery lost to a crash, and still
// every event reaches the receiver exactly once after dedupe; then the audit
// chain verifies through `hikiai audit verify`, exports, and a record edited
// by hand in the store is named by `hikiai audit verify`.
func TestCaseWebhookAuditFlow(t *testing.T) {
	for _, backendName := range []string{"bolt", "redis"} {
		t.Run(backendName, func(t *testing.T) {
			env := map[string]string{"HIKIAI_DATA_DIR": t.TempDir(), "HIKIAI_LOG_LEVEL": "error"}
			if backendName == "redis" {
				env["HIKIAI_REDIS_URL"] = flowRedisURL(t)
			}
			runFlow(t, env)
		})
	}
}

func runFlow(t *testing.T, env map[string]string) {
	ctx := context.Background()
	getenv := func(k string) string { return env[k] }
	cfg, err := LoadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clk := &flowClock{t: time.Now().UTC().Truncate(time.Second)}
	start := func() *flowStack {
		b, err := openBackend(ctx, cfg, log, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		eng := &screening.Engine{Store: b.store, Settings: settings, Checks: []screening.Check{flowHoldCheck{}}, Now: clk.Now, Log: log}
		return &flowStack{b: b, api: httptest.NewServer(api.New(api.Options{Engine: eng, Store: b.store, Log: log, Now: clk.Now}).Handler())}
	}
	st := start()
	closed := false
	defer func() {
		if !closed {
			st.close(t)
		}
	}()
	call := func(method, path, key string, body, out any) int {
		t.Helper()
		return flowCall(t, st.api.URL, method, path, key, body, out)
	}
	admin := &api.LocalAdmin{Store: st.b.store, Now: clk.Now, Actor: "test"}
	newKey := func(role string) string {
		secret, _, err := admin.CreateKey(ctx, role, "flow "+role)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	adminKey, salesKey, reviewerKey := newKey(screening.RoleAdmin), newKey(screening.RoleSales), newKey(screening.RoleReviewer)

	// An ERP receiver on 127.0.0.1 that verifies signatures and drops repeats.
	const secret = "erp-receiver-secret-0123456789"
	rcv := webhooktest.NewReceiver(t, secret, clk.Now)
	var hook struct{ ID string }
	if code := call("POST", "/v1/webhooks", adminKey, map[string]any{"url": rcv.URL, "secret": secret, "events": webhook.Events}, &hook); code != 201 {
		t.Fatalf("register webhook: %d", code)
	}

	// Screen: the inquiry is held and a case opens.
	screen := func(ref string) screening.Result {
		t.Helper()
		var res screening.Result
		body := map[string]any{"reference": ref, "customer": map[string]any{"name": "Golden Bridge Trading", "country": "HK"},
			"items": []any{map[string]any{"product": "MC-5X200", "quantity": 1}}, "end_use": "hold:review"}
		if code := call("POST", "/v1/screenings", salesKey, body, &res); code != 201 || res.Action != screening.ActionReview || res.CaseID == "" {
			t.Fatalf("screen %s: %d %+v", ref, code, res)
		}
		return res
	}
	first := screen("FLOW-1")
	var open struct{ Items []screening.Case }
	if call("GET", "/v1/cases?status=open", reviewerKey, nil, &open); len(open.Items) != 1 || open.Items[0].ID != first.CaseID {
		t.Fatalf("open cases %+v, want %s", open.Items, first.CaseID)
	}
	var decided screening.Case
	if code := call("POST", "/v1/cases/"+first.CaseID+"/decision", reviewerKey, map[string]string{"decision": "clear", "reason": "long-standing customer; registry checked"}, &decided); code != 200 || decided.Status != screening.CaseCleared {
		t.Fatalf("decide: %d %+v", code, decided)
	}

	// Ten reviewers decide a second case at once: exactly one wins.
	second := screen("FLOW-2")
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = newKey(screening.RoleReviewer)
	}
	codes := make([]int, len(keys))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range keys {
		wg.Go(func() {
			<-gate
			d := []string{"clear", "reject"}[i%2] // final decisions: an escalation would let a later one through legitimately
			codes[i] = flowCall(t, st.api.URL, "POST", "/v1/cases/"+second.CaseID+"/decision", keys[i], map[string]string{"decision": d, "reason": fmt.Sprint("reviewer ", i)}, nil)
		})
	}
	close(gate)
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 409:
		default:
			t.Errorf("racing decision answered %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("racing decisions: codes %v, want exactly one 200 and the rest 409", codes)
	}

	// The events the receiver must get: two screenings, two decisions.
	want := map[string]string{}
	recs, err := st.b.store.Audit(ctx, screening.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var decisionSeq uint64
	for i := range recs {
		switch recs[i].Kind {
		case screening.AuditScreening:
			want[webhook.EventID(&recs[i])] = webhook.EventScreeningCompleted
		case screening.AuditDecision:
			want[webhook.EventID(&recs[i])] = webhook.EventCaseDecided
			if decisionSeq == 0 {
				decisionSeq = recs[i].Seq
			}
		}
	}
	if len(want) != 4 {
		t.Fatalf("audit holds %d announced records, want 4: %+v", len(want), recs)
	}

	// Deliver, and stop the dispatcher while the receiver holds a delivery it
	// has taken in but not answered.
	rcv.Hold()
	d1 := webhook.New(webhook.Options{Store: st.b.store, Now: clk.Now, Log: log, Workers: 1, Poll: 10 * time.Millisecond})
	d1.Start(ctx)
	interrupted := rcv.WaitArrival(t, 20*time.Second)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := d1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	rcv.Release()

	// Restart: the store is closed and opened again, as a new process would.
	st.close(t)
	st = start()
	// The first delivery after the restart dies with its process before the
	// attempt is recorded; its lease keeps it from everyone for a minute.
	lease := time.Minute
	if _, err := webhook.New(webhook.Options{Store: crashAfterPost{st.b.store}, Now: clk.Now, Log: log, Lease: lease}).RunOnce(ctx); err == nil {
		t.Fatal("a dispatcher whose attempts cannot be recorded reported no error")
	}
	d3 := webhook.New(webhook.Options{Store: st.b.store, Now: clk.Now, Log: log, Lease: lease})
	if _, err := d3.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(rcv.Events()); got != len(want) {
		// Every event has arrived at least once already (the crashed one too),
		// but one delivery is still leased: it must come again.
		t.Fatalf("distinct events before the lease ended: %d, want %d", got, len(want))
	}
	clk.Advance(lease)
	if _, err := d3.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}

	if bad := rcv.Refused(); len(bad) > 0 {
		t.Fatalf("the receiver refused deliveries (signature or payload): %v", bad)
	}
	got := map[string]string{}
	for _, e := range rcv.Events() {
		got[e.ID] = e.Type
		if e.Type == webhook.EventCaseDecided && e.Payload.AuditSeq == decisionSeq {
			var data api.CaseDecided
			if err := json.Unmarshal(e.Payload.Data, &data); err != nil || data.CaseID != first.CaseID || data.Status != screening.CaseCleared || data.Reference != "FLOW-1" {
				t.Errorf("case.decided data %s (%v)", e.Payload.Data, err)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("receiver's distinct events %v, want %v", got, want)
	}
	receipts := rcv.Receipts()
	repeats := 0
	for id := range want {
		if receipts[id] < 1 {
			t.Errorf("event %s never arrived", id)
		}
		repeats += receipts[id] - 1
	}
	if receipts[interrupted] < 2 || repeats < 2 {
		t.Errorf("receipts %v: the interrupted event (%s) and the crashed one must each have come twice", receipts, interrupted)
	}
	var deliveries struct {
		Items []struct {
			EventID  string
			Status   string
			Attempts []screening.DeliveryAttempt
		}
	}
	if code := call("GET", "/v1/webhooks/"+hook.ID+"/deliveries", adminKey, nil, &deliveries); code != 200 || len(deliveries.Items) != len(want) {
		t.Fatalf("deliveries: %d %+v", code, deliveries)
	}
	for _, d := range deliveries.Items {
		if d.Status != screening.DeliveryDelivered {
			t.Errorf("delivery of %s is %s", d.EventID, d.Status)
		}
		if d.EventID == interrupted && (len(d.Attempts) < 2 || d.Attempts[0].Error != "interrupted by shutdown") {
			t.Errorf("attempts of the interrupted delivery: %+v", d.Attempts)
		}
	}

	// The audit chain verifies through the CLI, and exports.
	st.close(t)
	closed = true
	out, errOut, code := flowRun(ctx, getenv, "audit", "verify")
	if code != 0 || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify: exit %d\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	csvPath, jsonlPath := filepath.Join(dir, "audit.csv"), filepath.Join(dir, "audit.jsonl")
	if _, errOut, code := flowRun(ctx, getenv, "audit", "export", "--format", "csv", "--out", csvPath); code != 0 {
		t.Fatalf("export csv: %d %s", code, errOut)
	}
	rows := readCSV(t, csvPath)
	if len(rows) != len(recs)+1 || strings.Join(rows[0], ",") != "seq,at,kind,actor,subject,data,prev_hash,hash" {
		t.Fatalf("csv export: %d rows (want %d), header %v", len(rows), len(recs)+1, rows[0])
	}
	if _, errOut, code := flowRun(ctx, getenv, "audit", "export", "--since", clk.Now().Add(-time.Hour).Format(time.DateOnly), "--format", "jsonl", "--out", jsonlPath); code != 0 {
		t.Fatalf("export jsonl: %d %s", code, errOut)
	}
	if out, errOut, code := flowRun(ctx, getenv, "audit", "verify", "--file", jsonlPath); code != 0 || !strings.Contains(out, "verify") {
		t.Fatalf("verify the export: %d %s%s", code, out, errOut)
	}
	if info, err := os.Stat(jsonlPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, %v; want 0600", info.Mode(), err)
	}

	// Edit one record by hand in the store; verify names it.
	editAuditRecord(t, cfg, decisionSeq)
	out, errOut, code = flowRun(ctx, getenv, "audit", "verify")
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("broken at record %d", decisionSeq)) || !strings.Contains(errOut, "edited") {
		t.Fatalf("audit verify after a hand edit of record %d: exit %d\n%s%s", decisionSeq, code, out, errOut)
	}
}

// editAuditRecord changes the actor of one audit record behind the service's
// back: in the bbolt file for the embedded store, by overwriting the sorted-set
// member for Redis.
func editAuditRecord(t *testing.T, cfg Config, seq uint64) {
	t.Helper()
	edit := func(raw []byte) []byte {
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatalf("decode stored record %d: %v", seq, err)
		}
		rec["actor"] = "someone-else"
		out, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if cfg.RedisURL == "" {
		db, err := bolt.Open(storePath(cfg), 0o600, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var key [8]byte
		binary.BigEndian.PutUint64(key[:], seq)
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("audit"))
			if b == nil || b.Get(key[:]) == nil {
				return fmt.Errorf("audit record %d not found in the bolt file", seq)
			}
			return b.Put(key[:], edit(b.Get(key[:])))
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	const key = "{hk}:audit"
	members, err := c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: key, ByScore: true, Start: seq, Stop: seq}).Result()
	if err != nil || len(members) != 1 {
		t.Fatalf("audit record %d in Redis: %v, %v", seq, members, err)
	}
	_, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, key, members[0])
		p.ZAdd(ctx, key, redis.Z{Score: float64(seq), Member: string(edit([]byte(members[0])))})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// flowRedisURL gives the flow a Redis database of its own on the test server,
// emptied afterwards. Without a server the test skips, or fails under CI.
func flowRedisURL(t *testing.T) string {
	t.Helper()
	addr := redistest.Addr(t)
	c := redis.NewClient(&redis.Options{Addr: addr, DB: flowRedisDB})
	t.Cleanup(func() {
		c.FlushDB(context.Background())
		c.Close()
	})
	n, err := c.DBSize(context.Background()).Result()
	if err != nil {
		t.Fatalf("redis %s: %v", addr, err)
	}
	if n != 0 {
		t.Fatalf("redis %s database %d holds %d keys: the flow needs it empty (it is flushed after the test)", addr, flowRedisDB, n)
	}
	return fmt.Sprintf("redis://%s/%d", addr, flowRedisDB)
}

func flowCall(t *testing.T, base, method, path, key string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Error(err)
			return 0
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Errorf("%s %s: %d %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

func flowRun(ctx context.Context, getenv func(string) string, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(ctx, args, getenv, &out, &errOut)
	return out.String(), errOut.String(), code
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
