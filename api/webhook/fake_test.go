package webhook_test

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// fakeStore keeps just what the dispatcher uses, in memory, with the
// semantics the Store interface documents; the other methods panic through the
// nil embedded interface. The real backends run the same paths in the api
// package's end-to-end test.
type fakeStore struct {
	screening.Store
	mu         sync.Mutex
	audit      []screening.AuditRecord
	screenings map[string]*screening.Screening
	hooks      []*screening.Webhook
	outbox     map[string]*screening.Delivery
	cursor     uint64
	// failUpdate makes UpdateDelivery fail, as a process that dies right after
	// posting would never record the attempt.
	failUpdate bool
}

func newFakeStore() *fakeStore {
	return &fakeStore{screenings: map[string]*screening.Screening{}, outbox: map[string]*screening.Delivery{}}
}

func (f *fakeStore) append(rec screening.AuditRecord) screening.AuditRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	var prev *screening.AuditRecord
	if len(f.audit) > 0 {
		prev = &f.audit[len(f.audit)-1]
	}
	rec.Seal(prev)
	f.audit = append(f.audit, rec)
	return rec
}

func (f *fakeStore) Audit(_ context.Context, flt screening.AuditFilter) ([]screening.AuditRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []screening.AuditRecord
	for _, r := range f.audit {
		if r.Seq <= flt.AfterSeq || r.At.Before(flt.Since) || (flt.Kind != "" && r.Kind != flt.Kind) {
			continue
		}
		out = append(out, r)
		if flt.Limit > 0 && len(out) == flt.Limit {
			break
		}
	}
	return out, nil
}

func (f *fakeStore) Screening(_ context.Context, id string) (*screening.Screening, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.screenings[id]; ok {
		return s, nil
	}
	return nil, screening.Errorf(screening.ENOTFOUND, "screening %s not found", id)
}

func (f *fakeStore) Webhooks(context.Context) ([]*screening.Webhook, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.hooks), nil
}

func (f *fakeStore) Webhook(_ context.Context, id string) (*screening.Webhook, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.hooks {
		if h.ID == id {
			c := *h
			return &c, nil
		}
	}
	return nil, screening.Errorf(screening.ENOTFOUND, "webhook %s not found", id)
}

func (f *fakeStore) EnqueueDeliveries(_ context.Context, ds []screening.Delivery, cursor uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range ds {
		if _, ok := f.outbox[d.ID]; !ok {
			c := d
			f.outbox[d.ID] = &c
		}
	}
	f.cursor = cursor
	return nil
}

func (f *fakeStore) OutboxCursor(context.Context) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor, nil
}

func (f *fakeStore) ClaimDeliveries(_ context.Context, now time.Time, lease time.Duration, limit int) ([]screening.Delivery, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var due []*screening.Delivery
	for _, d := range f.outbox {
		if d.Status == screening.DeliveryPending && !d.NextAt.After(now) {
			due = append(due, d)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		return due[i].NextAt.Before(due[j].NextAt) || (due[i].NextAt.Equal(due[j].NextAt) && due[i].ID < due[j].ID)
	})
	var out []screening.Delivery
	for _, d := range due {
		if len(out) == limit {
			break
		}
		d.NextAt = now.Add(lease)
		c := *d
		c.Attempts = slices.Clone(d.Attempts)
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeStore) UpdateDelivery(_ context.Context, d *screening.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failUpdate {
		return screening.Errorf(screening.EUNAVAILABLE, "store gone")
	}
	c := *d
	c.Attempts = slices.Clone(d.Attempts)
	f.outbox[d.ID] = &c
	return nil
}

func (f *fakeStore) delivery(id string) screening.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.outbox[id]; ok {
		return *d
	}
	return screening.Delivery{}
}

func (f *fakeStore) deliveryIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.outbox {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// clock is a settable clock for the dispatcher.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
