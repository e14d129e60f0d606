package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api/webhook"
	"github.com/hikiai/hikiai/api/webhook/webhooktest"
	"github.com/hikiai/hikiai/screening"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const secret = "whsec_test_0123456789"

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestBackoff(t *testing.T) {
	b := webhook.DefaultBackoff()
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{
		{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {6, 320 * time.Second},
		{9, 2560 * time.Second}, {10, time.Hour}, {50, time.Hour}, {1000, time.Hour},
	} {
		if got := b.Delay(tc.n); got != tc.want {
			t.Errorf("Delay(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name       string
		age        time.Duration
		n          int
		retryAfter time.Duration
		wantDelay  time.Duration
		wantRetry  bool
	}{
		{"first failure", 0, 1, 0, 10 * time.Second, true},
		{"receiver asks for longer", time.Minute, 1, 2 * time.Minute, 2 * time.Minute, true},
		{"receiver asks for shorter: back-off holds", time.Minute, 4, time.Second, 80 * time.Second, true},
		{"receiver asks for days: capped", time.Minute, 1, 48 * time.Hour, time.Hour, true},
		{"just under a day", 24*time.Hour - time.Second, 30, 0, time.Hour, true},
		{"a day: give up", 24 * time.Hour, 30, 0, 0, false},
	} {
		now := t0.Add(tc.age)
		next, ok := b.Next(t0, now, tc.n, tc.retryAfter)
		if ok != tc.wantRetry || (ok && next.Sub(now) != tc.wantDelay) {
			t.Errorf("%s: Next = %v (in %s), %v; want in %s, %v", tc.name, next, next.Sub(now), ok, tc.wantDelay, tc.wantRetry)
		}
	}
}

// fixture is a fake store with one screening and the audit records of a
// screening, a key change, a decision and a re-screening.
type fixture struct {
	st    *fakeStore
	clock *clock
	recs  []screening.AuditRecord
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{st: newFakeStore(), clock: &clock{t: t0}}
	scr := &screening.Screening{Result: screening.Result{ID: "scr_1", Reference: "INQ-1", Score: 72, Level: screening.LevelHigh,
		Action: screening.ActionReview, CaseID: "case_1", Flags: []screening.Flag{{Code: "payer_mismatch", Points: 30, Evidence: map[string]any{"payer": "X"}}}, ScreenedAt: t0}}
	f.st.screenings[scr.ID] = scr
	for _, r := range []screening.AuditRecord{
		screening.NewAuditRecord(t0, screening.AuditScreening, "key_s", "scr_1", map[string]any{"score": 72}),
		screening.NewAuditRecord(t0.Add(time.Second), screening.AuditKey, "cli", "key_x", map[string]any{"action": "create"}),
		screening.NewAuditRecord(t0.Add(2*time.Second), screening.AuditDecision, "key_r", "case_1", map[string]any{"case_id": "case_1", "status": "cleared"}),
		screening.NewAuditRecord(t0.Add(3*time.Second), screening.AuditRescreen, "system", "scr_9", map[string]any{"counterparty": "acme"}),
	} {
		f.recs = append(f.recs, f.st.append(r))
	}
	return f
}

func (f *fixture) hook(id, url string, created time.Time, events ...string) *screening.Webhook {
	h := &screening.Webhook{ID: id, URL: url, Secret: secret, Events: events, CreatedAt: created}
	f.st.mu.Lock()
	f.st.hooks = append(f.st.hooks, h)
	f.st.mu.Unlock()
	return h
}

func (f *fixture) dispatcher(o webhook.Options) *webhook.Dispatcher {
	o.Store = f.st
	if o.Now == nil {
		o.Now = f.clock.Now
	}
	o.Log = quietLog()
	return webhook.New(o)
}

func TestTail(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.hook("wh_all", "http://127.0.0.1:1/all", t0.Add(-time.Hour), webhook.Events...)
	f.hook("wh_cases", "http://127.0.0.1:1/cases", t0.Add(-time.Hour), webhook.EventCaseDecided)
	f.hook("wh_late", "http://127.0.0.1:1/late", t0.Add(2*time.Second), webhook.EventScreeningCompleted, webhook.EventCaseDecided)
	off := f.hook("wh_off", "http://127.0.0.1:1/off", t0.Add(-time.Hour), webhook.Events...)
	off.Disabled = true

	d := f.dispatcher(webhook.Options{Batch: 2}) // two pages over four records
	n, err := d.Tail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(i int) string { return webhook.EventID(&f.recs[i]) }
	want := []string{
		webhook.DeliveryID("wh_all", ev(0)), webhook.DeliveryID("wh_all", ev(2)), webhook.DeliveryID("wh_all", ev(3)),
		webhook.DeliveryID("wh_cases", ev(2)),
		webhook.DeliveryID("wh_late", ev(2)), // registered after the screening: hears only the decision
	}
	slices.Sort(want)
	if got := f.st.deliveryIDs(); !slices.Equal(got, want) || n != len(want) {
		t.Errorf("enqueued %d: %v\nwant %v", n, got, want)
	}
	if c, _ := f.st.OutboxCursor(ctx); c != f.recs[3].Seq {
		t.Errorf("cursor %d, want %d", c, f.recs[3].Seq)
	}

	// The screening event carries the stored result; the decision its record's data.
	var p webhook.Payload
	if err := json.Unmarshal(f.st.delivery(webhook.DeliveryID("wh_all", ev(0))).Payload, &p); err != nil {
		t.Fatal(err)
	}
	var res screening.Result
	if err := json.Unmarshal(p.Data, &res); err != nil {
		t.Fatal(err)
	}
	if p.ID != ev(0) || p.Type != webhook.EventScreeningCompleted || p.AuditSeq != f.recs[0].Seq || res.ID != "scr_1" || res.CaseID != "case_1" || len(res.Flags) != 1 {
		t.Errorf("screening payload %+v with result %+v", p, res)
	}
	if err := json.Unmarshal(f.st.delivery(webhook.DeliveryID("wh_cases", ev(2))).Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != webhook.EventCaseDecided || string(p.Data) != string(f.recs[2].Data) {
		t.Errorf("decision payload %+v, want the record's data %s", p, f.recs[2].Data)
	}

	// A re-screening's event names the screening it made (its record's subject).
	if err := json.Unmarshal(f.st.delivery(webhook.DeliveryID("wh_all", ev(3))).Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != webhook.EventCounterpartyRescreened || string(p.Data) != `{"counterparty":"acme","screening_id":"scr_9"}` {
		t.Errorf("rescreen payload %+v (data %s)", p, p.Data)
	}

	// Reading again from an old cursor (a crash before the cursor moved)
	// enqueues nothing new.
	if err := f.st.EnqueueDeliveries(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tail(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.st.deliveryIDs(); !slices.Equal(got, want) {
		t.Errorf("after a re-read the outbox holds %v, want %v", got, want)
	}
}

func TestDeliverSigned(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rcv := webhooktest.NewReceiver(t, secret, f.clock.Now)
	f.hook("wh_1", rcv.URL, t0.Add(-time.Hour), webhook.EventScreeningCompleted, webhook.EventCaseDecided)
	d := f.dispatcher(webhook.Options{})
	n, err := d.RunOnce(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 attempts", n, err)
	}
	if bad := rcv.Refused(); len(bad) > 0 {
		t.Fatalf("receiver refused deliveries: %v", bad)
	}
	got := rcv.Events()
	if len(got) != 2 || got[0].Type != webhook.EventScreeningCompleted || got[1].Type != webhook.EventCaseDecided {
		t.Fatalf("receiver got %+v", got)
	}
	for _, e := range got {
		del := f.st.delivery(webhook.DeliveryID("wh_1", e.ID))
		if del.Status != screening.DeliveryDelivered || len(del.Attempts) != 1 || del.Attempts[0].Status != http.StatusNoContent || del.Attempts[0].Error != "" {
			t.Errorf("delivery %s: %+v", del.ID, del)
		}
	}
	if n, _ := d.RunOnce(ctx); n != 0 {
		t.Errorf("a second run made %d attempts, want 0", n)
	}
}

func TestRetryUntilGiveUp(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	f.hook("wh_1", srv.URL, t0.Add(-time.Hour), webhook.EventCaseDecided)
	d := f.dispatcher(webhook.Options{})
	id := webhook.DeliveryID("wh_1", webhook.EventID(&f.recs[2]))
	var gaps []time.Duration
	for i := 0; i < 100; i++ {
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		del := f.st.delivery(id)
		if del.Status != screening.DeliveryPending {
			break
		}
		gap := del.NextAt.Sub(f.clock.Now())
		gaps = append(gaps, gap)
		f.clock.Advance(gap)
	}
	del := f.st.delivery(id)
	if del.Status != screening.DeliveryFailed {
		t.Fatalf("after %d attempts the delivery is %s, want failed", calls.Load(), del.Status)
	}
	last := del.Attempts[len(del.Attempts)-1]
	if span := last.At.Sub(del.CreatedAt); span < 24*time.Hour || span > 25*time.Hour {
		t.Errorf("gave up %s after creation, want a little over 24 h", span)
	}
	if gaps[0] != 10*time.Second || gaps[1] != 20*time.Second || gaps[len(gaps)-1] != time.Hour {
		t.Errorf("waits %v, want 10s, 20s, ... capped at 1h", gaps)
	}
	if int(calls.Load()) != len(del.Attempts) || last.Status != http.StatusInternalServerError || last.Error != "HTTP 500" {
		t.Errorf("%d calls, %d attempts recorded, last %+v", calls.Load(), len(del.Attempts), last)
	}
}

func TestRetryAfterAndRecovery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rcv := webhooktest.NewReceiver(t, secret, f.clock.Now)
	rcv.FailNext(http.StatusServiceUnavailable)
	var throttled atomic.Bool // the first request is answered 429, Retry-After: 300
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if throttled.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "300")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		// Pass on to the verifying receiver.
		req, _ := http.NewRequest(http.MethodPost, rcv.URL, r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	}))
	defer srv.Close()
	f.hook("wh_1", srv.URL, t0.Add(-time.Hour), webhook.EventCaseDecided)
	d := f.dispatcher(webhook.Options{})
	id := webhook.DeliveryID("wh_1", webhook.EventID(&f.recs[2]))

	d.RunOnce(ctx) // 429 with Retry-After: 300
	if del := f.st.delivery(id); del.NextAt.Sub(f.clock.Now()) != 5*time.Minute || del.Attempts[0].Status != http.StatusTooManyRequests {
		t.Fatalf("after 429: %+v", del)
	}
	f.clock.Advance(4 * time.Minute)
	if n, _ := d.RunOnce(ctx); n != 0 {
		t.Fatalf("retried %d before Retry-After passed", n)
	}
	f.clock.Advance(time.Minute)
	d.RunOnce(ctx) // the receiver answers 503 this time (second failure: 20 s)
	if del := f.st.delivery(id); del.NextAt.Sub(f.clock.Now()) != 20*time.Second {
		t.Fatalf("after 503: next in %s, want 20s", del.NextAt.Sub(f.clock.Now()))
	}
	f.clock.Advance(20 * time.Second)
	d.RunOnce(ctx)
	del := f.st.delivery(id)
	if del.Status != screening.DeliveryDelivered || len(del.Attempts) != 3 {
		t.Fatalf("after recovery: %+v", del)
	}
	if r := rcv.Receipts(); len(r) != 1 || r[webhook.EventID(&f.recs[2])] != 2 {
		t.Errorf("receiver receipts %v: want the event twice (503, then 204)", r)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var followed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	f.hook("wh_1", srv.URL, t0.Add(-time.Hour), webhook.EventCaseDecided)
	d := f.dispatcher(webhook.Options{})
	d.RunOnce(ctx)
	del := f.st.delivery(webhook.DeliveryID("wh_1", webhook.EventID(&f.recs[2])))
	if followed.Load() || del.Status != screening.DeliveryPending || !strings.Contains(del.Attempts[0].Error, "not followed") {
		t.Errorf("followed=%v, delivery %+v", followed.Load(), del)
	}
}

func TestDeletedWebhookFails(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.hook("wh_1", "http://127.0.0.1:1/", t0.Add(-time.Hour), webhook.EventCaseDecided)
	d := f.dispatcher(webhook.Options{})
	if _, err := d.Tail(ctx); err != nil {
		t.Fatal(err)
	}
	f.st.mu.Lock()
	h.Disabled = true
	f.st.mu.Unlock()
	d.RunOnce(ctx)
	del := f.st.delivery(webhook.DeliveryID("wh_1", webhook.EventID(&f.recs[2])))
	if del.Status != screening.DeliveryFailed || !strings.Contains(del.Attempts[0].Error, "disabled") {
		t.Errorf("delivery to a disabled webhook: %+v", del)
	}
}

// TestShutdownMidDelivery stops a running dispatcher while the receiver holds a
// delivery it has already taken in. The attempt is recorded as interrupted, a
// new dispatcher sends it again at once, and the receiver, dropping repeats by
// event id, sees the event exactly once.
func TestShutdownMidDelivery(t *testing.T) {
	f := newFixture(t)
	rcv := webhooktest.NewReceiver(t, secret, f.clock.Now)
	f.hook("wh_1", rcv.URL, t0.Add(-time.Hour), webhook.EventCaseDecided)
	rcv.Hold()
	d := f.dispatcher(webhook.Options{Poll: 10 * time.Millisecond, Workers: 2})
	d.Start(context.Background())
	evt := rcv.WaitArrival(t, 10*time.Second)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	del := f.st.delivery(webhook.DeliveryID("wh_1", evt))
	if del.Status != screening.DeliveryPending || len(del.Attempts) != 1 || del.Attempts[0].Error != "interrupted by shutdown" || del.NextAt.After(f.clock.Now()) {
		t.Fatalf("after shutdown: %+v", del)
	}
	d.Start(context.Background()) // a stopped dispatcher stays stopped
	rcv.Release()

	d2 := f.dispatcher(webhook.Options{Poll: 10 * time.Millisecond})
	d2.Start(context.Background())
	defer d2.Shutdown(context.Background())
	if again := rcv.WaitArrival(t, 10*time.Second); again != evt {
		t.Fatalf("after restart the receiver got %s, want %s again", again, evt)
	}
	waitFor(t, func() bool { return f.st.delivery(del.ID).Status == screening.DeliveryDelivered })
	if got := rcv.Events(); len(got) != 1 || got[0].ID != evt {
		t.Errorf("distinct events %+v, want exactly %s", got, evt)
	}
	if r := rcv.Receipts(); r[evt] != 2 {
		t.Errorf("receipts %v: want the event twice (once interrupted)", r)
	}
}

// TestCrashBeforeRecording: the process dies after the receiver took the
// event but before the attempt is stored. The lease keeps other workers off
// until it ends; then the event comes again and the receiver drops the repeat.
func TestCrashBeforeRecording(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rcv := webhooktest.NewReceiver(t, secret, f.clock.Now)
	f.hook("wh_1", rcv.URL, t0.Add(-time.Hour), webhook.EventCaseDecided)
	lease := time.Minute
	f.st.mu.Lock()
	f.st.failUpdate = true
	f.st.mu.Unlock()
	if _, err := f.dispatcher(webhook.Options{Lease: lease}).RunOnce(ctx); err == nil {
		t.Fatal("RunOnce with a failing store reported no error")
	}
	f.st.mu.Lock()
	f.st.failUpdate = false
	f.st.mu.Unlock()
	evt := webhook.EventID(&f.recs[2])
	d := f.dispatcher(webhook.Options{Lease: lease})
	if n, _ := d.RunOnce(ctx); n != 0 {
		t.Fatalf("a new dispatcher retried %d deliveries inside the lease", n)
	}
	f.clock.Advance(lease)
	if n, err := d.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("after the lease: %d attempts, %v", n, err)
	}
	if del := f.st.delivery(webhook.DeliveryID("wh_1", evt)); del.Status != screening.DeliveryDelivered {
		t.Errorf("delivery %+v", del)
	}
	if got, r := rcv.Events(), rcv.Receipts(); len(got) != 1 || r[evt] != 2 {
		t.Errorf("events %+v receipts %v: want one event received twice", got, r)
	}
}

// TestClaimsOnlyForFreeWorkers: with two workers busy on held requests, the
// third delivery stays unclaimed (its lease must not run while it waits).
func TestClaimsOnlyForFreeWorkers(t *testing.T) {
	f := newFixture(t)
	rcv := webhooktest.NewReceiver(t, secret, f.clock.Now)
	f.hook("wh_1", rcv.URL, t0.Add(-time.Hour), webhook.Events...)
	rcv.Hold()
	d := f.dispatcher(webhook.Options{Poll: 10 * time.Millisecond, Workers: 2})
	d.Start(context.Background())
	defer d.Shutdown(context.Background())
	rcv.WaitArrival(t, 10*time.Second)
	rcv.WaitArrival(t, 10*time.Second)
	time.Sleep(100 * time.Millisecond) // several idle polls of the delivery loop
	leased, due := 0, 0
	for _, id := range f.st.deliveryIDs() {
		if f.st.delivery(id).NextAt.After(f.clock.Now()) {
			leased++
		} else {
			due++
		}
	}
	if leased != 2 || due != 1 {
		t.Fatalf("%d leased and %d due with two busy workers, want 2 and 1", leased, due)
	}
	rcv.Release()
	waitFor(t, func() bool {
		for _, id := range f.st.deliveryIDs() {
			if f.st.delivery(id).Status != screening.DeliveryDelivered {
				return false
			}
		}
		return true
	})
	if got := rcv.Events(); len(got) != 3 {
		t.Errorf("receiver got %d events, want 3", len(got))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
