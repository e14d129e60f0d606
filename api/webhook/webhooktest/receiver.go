// Package webhooktest is a webhook receiver for tests: an httptest server on
// 127.0.0.1 that verifies every delivery's signature the way an ERP receiver
// should, and drops repeats by event id.
package webhooktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api/webhook"
)

// Event is one distinct event as the receiver took it in.
type Event struct {
	ID      string
	Type    string
	Payload webhook.Payload
	Body    []byte
}

// Receiver records what a webhook receiver sees.
type Receiver struct {
	URL string
	now func() time.Time

	mu       sync.Mutex
	secret   string
	events   []Event        // distinct events, in order of first arrival
	receipts map[string]int // event id → how many signed requests carried it
	bad      []string       // why requests were refused
	status   []int          // statuses to answer in turn before 200 (a receiver that fails first)
	hold     chan struct{}  // while non-nil, requests wait for it to close (after being recorded)
	arrived  chan string    // every accepted request's event id, for tests that wait
}

// NewReceiver starts a receiver checking signatures with secret. now is the
// receiver's clock for the timestamp tolerance (time.Now when nil). The server
// closes with the test.
func NewReceiver(t testing.TB, secret string, now func() time.Time) *Receiver {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	r := &Receiver{secret: secret, now: now, receipts: map[string]int{}, arrived: make(chan string, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.Release()
		srv.Close()
	})
	r.URL = srv.URL + "/hooks/hikiai"
	return r
}

// SetSecret changes the secret the receiver checks with, as an ERP does when
// its admin enters a rotated secret.
func (r *Receiver) SetSecret(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = secret
}

// Tolerance is how far a signature's timestamp may be from the receiver's clock.
const Tolerance = 5 * time.Minute

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		r.refuse(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	r.mu.Lock()
	secret := r.secret
	r.mu.Unlock()
	if err := webhook.Verify(secret, req.Header.Get(webhook.HeaderSignature), body, r.now(), Tolerance); err != nil {
		r.refuse(w, http.StatusUnauthorized, err.Error())
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		r.refuse(w, http.StatusBadRequest, "payload: "+err.Error())
		return
	}
	if p.ID == "" || p.ID != req.Header.Get(webhook.HeaderEventID) || p.Type != req.Header.Get(webhook.HeaderEvent) {
		r.refuse(w, http.StatusBadRequest, fmt.Sprintf("payload id %q / type %q disagree with headers %q / %q",
			p.ID, p.Type, req.Header.Get(webhook.HeaderEventID), req.Header.Get(webhook.HeaderEvent)))
		return
	}
	r.mu.Lock()
	r.receipts[p.ID]++
	if r.receipts[p.ID] == 1 {
		r.events = append(r.events, Event{ID: p.ID, Type: p.Type, Payload: p, Body: body})
	}
	var status int
	if len(r.status) > 0 {
		status, r.status = r.status[0], r.status[1:]
	}
	hold := r.hold
	r.mu.Unlock()
	select {
	case r.arrived <- p.ID:
	default:
	}
	if hold != nil {
		select {
		case <-hold:
		case <-req.Context().Done():
		}
	}
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *Receiver) refuse(w http.ResponseWriter, status int, why string) {
	r.mu.Lock()
	r.bad = append(r.bad, why)
	r.mu.Unlock()
	http.Error(w, why, status)
}

// FailNext makes the next requests answer these statuses (after recording them).
func (r *Receiver) FailNext(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = append(r.status, statuses...)
}

// Hold makes requests wait after they are recorded, until Release: a receiver
// that took an event in but has not answered yet.
func (r *Receiver) Hold() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold == nil {
		r.hold = make(chan struct{})
	}
}

// Release lets held requests answer.
func (r *Receiver) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold != nil {
		close(r.hold)
		r.hold = nil
	}
}

// WaitArrival waits for the next accepted request and returns its event id.
func (r *Receiver) WaitArrival(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case id := <-r.arrived:
		return id
	case <-time.After(timeout):
		t.Fatalf("webhook receiver: no delivery within %s", timeout)
		return ""
	}
}

// Events returns the distinct events in order of first arrival.
func (r *Receiver) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Receipts returns how many verified requests carried each event id.
func (r *Receiver) Receipts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.receipts))
	for k, v := range r.receipts {
		out[k] = v
	}
	return out
}

// Refused returns why requests were refused (bad signatures, bad payloads).
func (r *Receiver) Refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}
