package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Event types a webhook can subscribe to.
const (
	EventScreeningCompleted     = "screening.completed"
	EventCaseDecided            = "case.decided"
	EventCounterpartyRescreened = "counterparty.rescreened"
)

// Events lists every event type, in documentation order.
var Events = []string{EventScreeningCompleted, EventCaseDecided, EventCounterpartyRescreened}

// KnownEvent reports whether name is an event type.
func KnownEvent(name string) bool { return slices.Contains(Events, name) }

// eventOf maps an audit record kind to the event it announces ("" for kinds
// that are not announced: key changes and list imports stay internal).
func eventOf(kind string) string {
	switch kind {
	case screening.AuditScreening:
		return EventScreeningCompleted
	case screening.AuditDecision:
		return EventCaseDecided
	case screening.AuditRescreen:
		return EventCounterpartyRescreened
	}
	return ""
}

// Payload is the JSON body of every delivery.
type Payload struct {
	// ID is the idempotency id: the same event always carries the same id, on
	// every retry and after any restart.
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	// AuditSeq is the audit record the event comes from; events of one webhook
	// may arrive out of order, and this orders them.
	AuditSeq uint64          `json:"audit_seq"`
	Data     json.RawMessage `json:"data"`
}

// EventID derives the idempotency id from the audit record: its sequence number,
// plus a piece of its hash so that ids stay unique even if a store is ever
// rebuilt and sequence numbers start again.
func EventID(rec *screening.AuditRecord) string {
	h := rec.Hash
	if len(h) > 12 {
		h = h[:12]
	}
	return fmt.Sprintf("evt_%d_%s", rec.Seq, h)
}

// DeliveryID is the outbox id of one event for one webhook; enqueueing the same
// pair again is a no-op in the store.
func DeliveryID(webhookID, eventID string) string { return webhookID + ":" + eventID }

// payloadFor builds the body of the event rec announces. A screening event
// carries the stored result (score, flags with evidence, case id): screenings
// never change, so rebuilding it after a crash gives the same bytes. Decisions
// and re-screenings carry the record's own data, which their writers make
// self-contained for this purpose (plus, for a re-screening, the id of the
// screening it made).
func payloadFor(ctx context.Context, st screening.Store, rec *screening.AuditRecord, typ string) ([]byte, error) {
	data := rec.Data
	if typ == EventScreeningCompleted {
		s, err := st.Screening(ctx, rec.Subject)
		switch {
		case err == nil:
			b, merr := json.Marshal(s.Result)
			if merr != nil {
				return nil, fmt.Errorf("webhook: marshal screening %s: %w", rec.Subject, merr)
			}
			data = b
		case screening.ErrorCode(err) != screening.ENOTFOUND:
			return nil, fmt.Errorf("webhook: load screening %s: %w", rec.Subject, err)
		}
		// Not found: the record's summary is all there is; send that rather than nothing.
	}
	if typ == EventCounterpartyRescreened {
		// The re-screening's record is about its new screening (the subject);
		// the receiver needs that id to fetch the result.
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) == nil && obj != nil {
			if _, ok := obj["screening_id"]; !ok {
				obj["screening_id"], _ = json.Marshal(rec.Subject)
				if b, err := json.Marshal(obj); err == nil {
					data = b
				}
			}
		}
	}
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	b, err := json.Marshal(Payload{ID: EventID(rec), Type: typ, CreatedAt: rec.At.UTC(), AuditSeq: rec.Seq, Data: data})
	if err != nil {
		return nil, fmt.Errorf("webhook: marshal event of audit record %d: %w", rec.Seq, err)
	}
	return b, nil
}
