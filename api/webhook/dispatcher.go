package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Options configures a Dispatcher; zero values take the defaults.
type Options struct {
	Store screening.Store
	// Client posts deliveries (NewClient(DefaultTimeout) when nil).
	Client *http.Client
	// Now is the clock for signatures, schedules and leases.
	Now func() time.Time
	Log *slog.Logger
	// Poll is how often the dispatcher looks for new audit records (default
	// 1 s); due retries are looked for every 5 Poll, and at once after new
	// deliveries are enqueued.
	Poll time.Duration
	// Workers is how many deliveries run at once (default 4).
	Workers int
	// Lease is how long a claimed delivery is hidden from other workers and
	// replicas; it must outlast the client's timeout, or a slow receiver gets a
	// second copy meanwhile (default 2 min).
	Lease   time.Duration
	Backoff Backoff
	// Batch is how many audit records one tail step reads (default 500).
	Batch int
}

// DefaultTimeout bounds one delivery attempt, connection to last byte.
const DefaultTimeout = 15 * time.Second

// maxAttemptsKept bounds the attempt history stored with a delivery.
const maxAttemptsKept = 100

// Dispatcher turns audit records into deliveries and delivers them. Several
// dispatchers (replicas) may run on one store: enqueueing is idempotent and
// claims are leased, so each delivery is posted by one of them at a time.
type Dispatcher struct {
	store   screening.Store
	client  *http.Client
	now     func() time.Time
	log     *slog.Logger
	poll    time.Duration
	workers int
	lease   time.Duration
	backoff Backoff
	batch   int

	startOnce, stopOnce sync.Once
	cancel              context.CancelFunc
	wg                  sync.WaitGroup
	wake                *broadcast
}

// New builds a dispatcher; Start runs it.
func New(o Options) *Dispatcher {
	if o.Client == nil {
		o.Client = NewClient(DefaultTimeout)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = DefaultBackoff()
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	return &Dispatcher{
		store: o.Store, client: o.Client, now: o.Now, log: o.Log.With(slog.String("component", "webhook")),
		poll: o.Poll, workers: o.Workers, lease: o.Lease, backoff: o.Backoff, batch: o.Batch,
		wake: newBroadcast(),
	}
}

// NewClient returns the HTTP client for deliveries. Unlike the website check's
// fetcher it may reach loopback and private addresses: webhook URLs are
// registered by an admin, not taken from inquiries, and the usual receiver is
// an ERP host on the company network, so refusing private addresses would
// refuse the main use. Redirects are not followed: the signature is meant for
// the registered URL, and a redirect elsewhere is treated as a failed attempt.
func NewClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Start runs the tail loop and the delivery loop until Shutdown or until ctx
// ends. Calling it again does nothing.
func (d *Dispatcher) Start(ctx context.Context) {
	d.startOnce.Do(func() {
		ctx, d.cancel = context.WithCancel(ctx)
		d.wg.Go(func() { d.tailLoop(ctx) })
		d.wg.Go(func() { d.deliverLoop(ctx) })
	})
}

// Shutdown stops the loops: in-flight attempts are cancelled and recorded as
// interrupted so that the next start retries them at once; what is not
// recorded (a crash) comes back when its lease ends. It waits for the loops
// until ctx ends. Calling it again, or without Start, is safe.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.stopOnce.Do(func() {
		d.startOnce.Do(func() {}) // a later Start does nothing
		if d.cancel != nil {
			d.cancel()
		}
	})
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("webhook: shutdown: %w", ctx.Err())
	}
}

// Notify wakes the dispatcher to look for new audit records now rather than at
// the next poll.
func (d *Dispatcher) Notify() { d.wake.notify() }

func (d *Dispatcher) tailLoop(ctx context.Context) {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	for {
		wake := d.wake.wait()
		n, err := d.Tail(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("tail audit log", slog.Any("err", err))
		}
		if n > 0 {
			d.wake.notify() // new deliveries: the delivery loop need not wait
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// deliverLoop claims due deliveries only for idle worker slots, so that a
// lease starts when its attempt does, and runs each attempt on its own
// goroutine. One claimer rather than one per worker, and a slow poll when
// nothing is due: a claim is a write (an fsync on the embedded store), and an
// idle server should not make several a second. New deliveries wake it at
// once; a retry falls due at most idlePoll late.
func (d *Dispatcher) deliverLoop(ctx context.Context) {
	slots := make(chan struct{}, d.workers) // one token per running attempt
	freed := make(chan struct{}, d.workers)
	var running sync.WaitGroup
	defer running.Wait()
	idlePoll := 5 * d.poll
	for {
		wake := d.wake.wait()
		free := d.workers - len(slots)
		if free == 0 {
			select {
			case <-ctx.Done():
				return
			case <-freed:
			}
			continue
		}
		ds, err := d.store.ClaimDeliveries(ctx, d.now().UTC(), d.lease, free)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("claim deliveries", slog.Any("err", err))
		}
		for i := range ds {
			slots <- struct{}{}
			running.Go(func() {
				defer func() {
					<-slots
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
				if err := d.attempt(ctx, &ds[i]); err != nil && ctx.Err() == nil {
					d.log.Warn("deliver", slog.Any("err", err))
				}
			})
		}
		if err == nil && len(ds) == free {
			continue // every slot is busy and more may be due: claim again when one frees
		}
		timer := time.NewTimer(idlePoll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Tail reads the audit log from the outbox cursor and enqueues one delivery per
// announced record and subscribed webhook, moving the cursor in the same step.
// It returns how many deliveries it enqueued. A crash between reading and
// enqueueing only means the same records are read again; their delivery ids
// are already in the outbox or not, never twice.
func (d *Dispatcher) Tail(ctx context.Context) (int, error) {
	var hooks []*screening.Webhook
	total := 0
	for {
		cursor, err := d.store.OutboxCursor(ctx)
		if err != nil {
			return total, fmt.Errorf("webhook: read outbox cursor: %w", err)
		}
		recs, err := d.store.Audit(ctx, screening.AuditFilter{AfterSeq: cursor, Limit: d.batch})
		if err != nil {
			return total, fmt.Errorf("webhook: read audit after %d: %w", cursor, err)
		}
		if len(recs) == 0 {
			return total, nil
		}
		if hooks == nil {
			if hooks, err = d.store.Webhooks(ctx); err != nil {
				return total, fmt.Errorf("webhook: list webhooks: %w", err)
			}
		}
		var ds []screening.Delivery
		now := d.now().UTC()
		for i := range recs {
			rec := &recs[i]
			typ := eventOf(rec.Kind)
			if typ == "" {
				continue
			}
			var body []byte
			for _, h := range hooks {
				// A webhook hears of events from its registration on, not the whole past.
				if h.Disabled || !slices.Contains(h.Events, typ) || rec.At.Before(h.CreatedAt) {
					continue
				}
				if body == nil {
					if body, err = payloadFor(ctx, d.store, rec, typ); err != nil {
						return total, err
					}
				}
				evt := EventID(rec)
				ds = append(ds, screening.Delivery{
					ID: DeliveryID(h.ID, evt), WebhookID: h.ID, EventID: evt, Event: typ, Payload: body,
					Status: screening.DeliveryPending, NextAt: now, CreatedAt: now,
				})
			}
		}
		last := recs[len(recs)-1].Seq
		if err := d.store.EnqueueDeliveries(ctx, ds, last); err != nil {
			return total, fmt.Errorf("webhook: enqueue %d deliveries up to audit %d: %w", len(ds), last, err)
		}
		total += len(ds)
		if len(recs) < d.batch {
			return total, nil
		}
	}
}

// DeliverOne claims one due delivery and attempts it. ok is false when nothing
// was due.
func (d *Dispatcher) DeliverOne(ctx context.Context) (ok bool, err error) {
	ds, err := d.store.ClaimDeliveries(ctx, d.now().UTC(), d.lease, 1)
	if err != nil {
		return false, fmt.Errorf("webhook: claim deliveries: %w", err)
	}
	if len(ds) == 0 {
		return false, nil
	}
	return true, d.attempt(ctx, &ds[0])
}

// RunOnce tails the audit log and then delivers everything due, one at a
// time, until nothing is due; for tests and for a one-off command. It returns
// how many attempts it made.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if _, err := d.Tail(ctx); err != nil {
		return 0, err
	}
	n := 0
	for {
		ok, err := d.DeliverOne(ctx)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
}

// attempt posts one delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, del *screening.Delivery) error {
	h, err := d.store.Webhook(ctx, del.WebhookID)
	switch {
	case screening.ErrorCode(err) == screening.ENOTFOUND:
		h = nil
	case err != nil:
		return fmt.Errorf("webhook: load webhook %s: %w", del.WebhookID, err)
	}
	start := d.now().UTC()
	var (
		status     int
		retryAfter time.Duration
		postErr    error
	)
	if h == nil || h.Disabled {
		postErr = errors.New("webhook deleted or disabled")
	} else {
		status, retryAfter, postErr = d.post(ctx, h, del, start)
	}
	end := d.now().UTC()
	att := screening.DeliveryAttempt{At: start, Status: status, Duration: end.Sub(start).Round(time.Millisecond).String()}
	if postErr != nil {
		att.Error = truncate(postErr.Error(), 300)
	}
	interrupted := postErr != nil && ctx.Err() != nil
	if interrupted {
		// Shutdown cut the attempt short: the receiver may or may not have it.
		// Retry at once on the next start; the event id lets the receiver drop a repeat.
		att.Error = "interrupted by shutdown"
	}
	del.Attempts = append(del.Attempts, att)
	if len(del.Attempts) > maxAttemptsKept {
		del.Attempts = del.Attempts[len(del.Attempts)-maxAttemptsKept:]
	}
	logAttrs := []any{slog.String("delivery", del.ID), slog.String("event", del.Event), slog.Int("status", status), slog.Int("attempt", len(del.Attempts))}
	switch {
	case interrupted:
		del.NextAt = end
	case postErr == nil:
		del.Status, del.NextAt = screening.DeliveryDelivered, end
		d.log.Info("webhook delivered", logAttrs...)
	case h == nil || h.Disabled:
		del.Status, del.NextAt = screening.DeliveryFailed, end
		d.log.Warn("webhook delivery dropped", append(logAttrs, slog.String("err", att.Error))...)
	default:
		next, retry := d.backoff.Next(del.CreatedAt, end, failures(del.Attempts), retryAfter)
		if retry {
			del.NextAt = next
			d.log.Warn("webhook delivery failed; will retry", append(logAttrs, slog.String("err", att.Error), slog.Time("next_at", next))...)
		} else {
			del.Status, del.NextAt = screening.DeliveryFailed, end
			d.log.Error("webhook delivery failed for good", append(logAttrs, slog.String("err", att.Error))...)
		}
	}
	// Record the outcome even when ctx has ended: that is what lets the next
	// start retry an interrupted attempt at once instead of after the lease.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.store.UpdateDelivery(uctx, del); err != nil {
		return fmt.Errorf("webhook: record attempt of %s: %w", del.ID, err)
	}
	return nil
}

// failures counts the failed attempts that count toward the back-off
// (interruptions by shutdown are not the receiver's fault).
func failures(as []screening.DeliveryAttempt) int {
	n := 0
	for _, a := range as {
		if a.Error != "interrupted by shutdown" {
			n++
		}
	}
	return max(n, 1)
}

// post sends one signed request; any status but 2xx is an error.
func (d *Dispatcher) post(ctx context.Context, h *screening.Webhook, del *screening.Delivery, at time.Time) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return 0, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Hikiai-Webhook/1")
	req.Header.Set(HeaderSignature, Sign(at, del.Payload, h.SigningSecrets(at)...))
	req.Header.Set(HeaderEventID, del.EventID)
	req.Header.Set(HeaderEvent, del.Event)
	req.Header.Set(HeaderDelivery, del.ID)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	var retryAfter time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, 0, fmt.Errorf("HTTP %d redirect to %q not followed: register the final URL", resp.StatusCode, resp.Header.Get("Location"))
	}
	return resp.StatusCode, retryAfter, fmt.Errorf("HTTP %d", resp.StatusCode)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}

// broadcast wakes every waiter at once: wait returns a channel that notify closes.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func newBroadcast() *broadcast { return &broadcast{ch: make(chan struct{})} }

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

func (b *broadcast) notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.ch)
	b.ch = make(chan struct{})
}
