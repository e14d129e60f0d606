package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// newDelivery makes a pending delivery created at created and due due after it.
func newDelivery(id, webhookID string, created time.Time, due time.Duration) screening.Delivery {
	return screening.Delivery{
		ID: id, WebhookID: webhookID, EventID: "evt_" + id, Event: "screening.held",
		Payload: []byte(`{"id":"` + id + `","score":72}`), Status: screening.DeliveryPending,
		NextAt: created.Add(due), CreatedAt: created,
	}
}

func deliveryIDs(ds []screening.Delivery) []string {
	return ids(ds, func(d screening.Delivery) string { return d.ID })
}

func testWebhooks(t *testing.T, f Factory) {
	st := f.New(t)
	ctx := ctxFor(t)
	_, err := st.Webhook(ctx, "wh_missing")
	wantCode(t, "Webhook(missing)", err, screening.ENOTFOUND)
	hooks := []*screening.Webhook{
		{ID: "wh_b", URL: "https://erp.example/b", Secret: "s3cret", Events: []string{"screening.held", "case.decided"}, CreatedAt: base},
		{ID: "wh_a", URL: "https://erp.example/a", Events: []string{"case.decided"}, CreatedAt: base.Add(time.Minute), Disabled: true},
	}
	for _, h := range hooks {
		before := lastSeq(t, st)
		if err := st.CreateWebhook(ctx, h, auditFor(screening.AuditWebhook, h.ID, base)); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		expectOneAudit(t, st, before, screening.AuditWebhook, h.ID)
	}
	got, err := st.Webhook(ctx, "wh_b")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Webhook (the store keeps the secret to sign with)", got, hooks[0])
	all, err := st.Webhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first.
	sameJSON(t, "Webhooks", all, hooks)

	before := lastSeq(t, st)
	err = st.CreateWebhook(ctx, &screening.Webhook{ID: "wh_a", URL: "https://evil.example"}, auditFor(screening.AuditWebhook, "wh_a", base))
	wantCode(t, "CreateWebhook(existing id)", err, screening.ECONFLICT)
	expectNoAudit(t, st, before, "refused CreateWebhook")
	got, _ = st.Webhook(ctx, "wh_a")
	sameJSON(t, "webhook after refused overwrite", got, hooks[1])

	// An update stores what change leaves, with its audit record.
	before = lastSeq(t, st)
	want := *hooks[0]
	want.URL, want.Secret, want.Events, want.Disabled = "https://erp.example/b2", "n3w-s3cret", []string{"case.decided"}, true
	upd, err := st.UpdateWebhook(ctx, "wh_b", func(w *screening.Webhook) error {
		sameJSON(t, "UpdateWebhook's change sees the stored webhook", w, hooks[0])
		w.URL, w.Secret, w.Events, w.Disabled = want.URL, want.Secret, want.Events, want.Disabled
		return nil
	}, auditFor(screening.AuditWebhook, "wh_b", base))
	if err != nil {
		t.Fatalf("UpdateWebhook: %v", err)
	}
	expectOneAudit(t, st, before, screening.AuditWebhook, "wh_b")
	sameJSON(t, "UpdateWebhook's answer", upd, &want)
	got, _ = st.Webhook(ctx, "wh_b")
	sameJSON(t, "webhook after update", got, &want)

	// Refused updates write nothing: a missing webhook, a change that fails,
	// and one that moves the id or the creation time.
	refused := []struct {
		name, id string
		change   func(*screening.Webhook) error
		code     string
	}{
		{"missing", "wh_missing", func(*screening.Webhook) error { return nil }, screening.ENOTFOUND},
		{"change fails", "wh_b", func(w *screening.Webhook) error {
			w.URL = "https://half.example"
			return screening.Errorf(screening.EINVALID, "no")
		}, screening.EINVALID},
		{"new id", "wh_b", func(w *screening.Webhook) error { w.ID = "wh_c"; return nil }, screening.EINVALID},
		{"new creation time", "wh_b", func(w *screening.Webhook) error { w.CreatedAt = w.CreatedAt.Add(time.Hour); return nil }, screening.EINVALID},
	}
	for _, r := range refused {
		before := lastSeq(t, st)
		_, err := st.UpdateWebhook(ctx, r.id, r.change, auditFor(screening.AuditWebhook, r.id, base))
		wantCode(t, "UpdateWebhook("+r.name+")", err, r.code)
		expectNoAudit(t, st, before, "refused UpdateWebhook ("+r.name+")")
	}
	got, _ = st.Webhook(ctx, "wh_b")
	sameJSON(t, "webhook after refused updates", got, &want)
	if all, _ := st.Webhooks(ctx); len(all) != 2 {
		t.Errorf("Webhooks after the updates: %d, want 2", len(all))
	}

	// Concurrent updates each apply to what the one before left: none is lost.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := st.UpdateWebhook(ctx, "wh_a", func(w *screening.Webhook) error {
				w.Events = append(w.Events, fmt.Sprintf("e%d", i))
				return nil
			}, auditFor(screening.AuditWebhook, "wh_a", base))
			if err != nil {
				t.Errorf("concurrent UpdateWebhook %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	got, _ = st.Webhook(ctx, "wh_a")
	if len(got.Events) != 1+8 {
		t.Errorf("after 8 concurrent updates that each add an event: %v, want 9 events", got.Events)
	}
}

func testOutbox(t *testing.T, f Factory) {
	t.Run("EnqueueAndCursor", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		if c, err := st.OutboxCursor(ctx); err != nil || c != 0 {
			t.Fatalf("OutboxCursor on a new store = %d, %v; want 0", c, err)
		}
		d1, d2 := newDelivery("d1", "wh_1", base, 0), newDelivery("d2", "wh_1", base.Add(time.Second), 0)
		if err := st.EnqueueDeliveries(ctx, []screening.Delivery{d1, d2}, 7); err != nil {
			t.Fatalf("EnqueueDeliveries: %v", err)
		}
		if c, err := st.OutboxCursor(ctx); err != nil || c != 7 {
			t.Errorf("OutboxCursor = %d, %v; want 7", c, err)
		}
		// Enqueueing the same id again leaves the first as it is, and still moves the cursor.
		changed := d1
		changed.Payload = []byte(`{"changed":true}`)
		if err := st.EnqueueDeliveries(ctx, []screening.Delivery{changed, newDelivery("d3", "wh_1", base.Add(2*time.Second), 0)}, 9); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.OutboxCursor(ctx); c != 9 {
			t.Errorf("OutboxCursor = %d, want 9", c)
		}
		got, err := st.Deliveries(ctx, "wh_1", 10)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "Deliveries newest first", deliveryIDs(got), []string{"d3", "d2", "d1"})
		if len(got) == 3 {
			sameJSON(t, "delivery enqueued twice", got[2], d1)
		}
		got, err = st.Deliveries(ctx, "wh_1", 2)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "Deliveries limit 2", deliveryIDs(got), []string{"d3", "d2"})
		if got, err := st.Deliveries(ctx, "wh_other", 10); err != nil || len(got) != 0 {
			t.Errorf("Deliveries(other webhook) = %v, %v", got, err)
		}
		// An empty batch only moves the cursor.
		if err := st.EnqueueDeliveries(ctx, nil, 12); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.OutboxCursor(ctx); c != 12 {
			t.Errorf("OutboxCursor after an empty batch = %d, want 12", c)
		}
	})

	t.Run("ClaimAndUpdate", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		now := base.Add(time.Hour)
		ds := []screening.Delivery{
			newDelivery("d_due1", "wh_1", base, 0),
			newDelivery("d_due2", "wh_1", base.Add(time.Minute), 10*time.Minute),
			newDelivery("d_due3", "wh_2", base.Add(2*time.Minute), 58*time.Minute), // due exactly now
			newDelivery("d_later", "wh_1", base.Add(3*time.Minute), 2*time.Hour),
		}
		done := newDelivery("d_done", "wh_1", base, 0)
		done.Status = screening.DeliveryDelivered
		ds = append(ds, done)
		if err := st.EnqueueDeliveries(ctx, ds, 1); err != nil {
			t.Fatal(err)
		}

		const lease = 5 * time.Minute
		first, err := st.ClaimDeliveries(ctx, now, lease, 2)
		if err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		sameIDs(t, "first claim (due first, limit 2)", deliveryIDs(first), []string{"d_due1", "d_due2"})
		for _, d := range first {
			if !d.NextAt.Equal(now.Add(lease)) {
				t.Errorf("claimed %s has NextAt %v, want now+lease %v", d.ID, d.NextAt, now.Add(lease))
			}
			if d.EventID != "evt_"+d.ID || string(d.Payload) == "" {
				t.Errorf("claimed delivery lost its content: %+v", d)
			}
		}
		second, err := st.ClaimDeliveries(ctx, now, lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "second claim gets only the one left", deliveryIDs(second), []string{"d_due3"})
		third, err := st.ClaimDeliveries(ctx, now.Add(time.Minute), lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "claim before the lease ends", deliveryIDs(third), nil)

		// The first one is delivered; the second failed and is retried later.
		d1 := first[0]
		d1.Status = screening.DeliveryDelivered
		d1.Attempts = []screening.DeliveryAttempt{{At: now, Status: 204, Duration: "12ms"}}
		if err := st.UpdateDelivery(ctx, &d1); err != nil {
			t.Fatalf("UpdateDelivery: %v", err)
		}
		d2 := first[1]
		d2.Attempts = []screening.DeliveryAttempt{{At: now, Status: 500, Error: "server error", Duration: "40ms"}}
		d2.NextAt = now.Add(30 * time.Minute)
		if err := st.UpdateDelivery(ctx, &d2); err != nil {
			t.Fatal(err)
		}
		missing := newDelivery("d_missing", "wh_1", base, 0)
		wantCode(t, "UpdateDelivery(missing)", st.UpdateDelivery(ctx, &missing), screening.ENOTFOUND)

		// After the lease: d_due3 again (its lease ran out); d_due2 waits for its retry time.
		afterLease, err := st.ClaimDeliveries(ctx, now.Add(lease), lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "claim when the lease has run out", deliveryIDs(afterLease), []string{"d_due3"})
		late, err := st.ClaimDeliveries(ctx, now.Add(3*time.Hour), lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := deliveryIDs(late)
		sort.Strings(got)
		sameIDs(t, "claim three hours later (delivered ones never)", got, []string{"d_due2", "d_due3", "d_later"})

		list, err := st.Deliveries(ctx, "wh_1", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			if d.ID == "d_due1" {
				if d.Status != screening.DeliveryDelivered || len(d.Attempts) != 1 || d.Attempts[0].Status != 204 {
					t.Errorf("updated delivery = %+v", d)
				}
			}
		}
	})

	t.Run("ConcurrentClaims", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		var ds []screening.Delivery
		for i := range 30 {
			ds = append(ds, newDelivery(fmt.Sprintf("d%02d", i), "wh_1", base.Add(time.Duration(i)*time.Second), 0))
		}
		if err := st.EnqueueDeliveries(ctx, ds, 1); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		claimed := map[string]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					got, err := st.ClaimDeliveries(ctxFor(t), base.Add(time.Hour), time.Minute, 4)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, d := range got {
						claimed[d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(claimed) != 30 {
			t.Errorf("%d of 30 deliveries claimed by 6 workers taking 12 each", len(claimed))
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("delivery %s claimed %d times within one lease", id, n)
			}
		}
	})
}

func testPing(t *testing.T, f Factory) {
	st := f.New(t)
	if err := st.Ping(ctxFor(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wantCode(t, "Ping after Close", st.Ping(ctxFor(t)), screening.EUNAVAILABLE)
	_, err := st.Screening(ctxFor(t), "scr_1")
	wantCode(t, "Screening after Close", err, screening.EUNAVAILABLE)
	if err := st.Close(); err != nil {
		t.Errorf("Close twice: %v", err)
	}
}
