package screening

import (
	"context"
	"time"
)

// Store holds everything that must outlive the process. Two backends implement
// it (embedded bbolt, Redis) and both pass screening/storetest. Every method
// that writes an action also appends its audit record in the same atomic step.
//
// Errors: *Error with ENOTFOUND for a missing record, ECONFLICT as documented,
// EUNAVAILABLE when the backend cannot be reached; anything else is internal.
type Store interface {
	// SaveScreening writes the screening, its case (nil when none) and the audit
	// record atomically. ECONFLICT when s.Reference is non-empty and a screening
	// with the same (KeyID, Reference) exists; nothing is written then.
	SaveScreening(ctx context.Context, s *Screening, c *Case, audit AuditRecord) error
	// Screening returns one screening by id. ENOTFOUND.
	Screening(ctx context.Context, id string) (*Screening, error)
	// ScreeningByReference returns the screening a key made with a reference. ENOTFOUND.
	ScreeningByReference(ctx context.Context, keyID, reference string) (*Screening, error)
	// ListScreenings returns screenings newest first (by ScreenedAt, then id), and the
	// cursor of the next page ("" when there is none).
	ListScreenings(ctx context.Context, f ScreeningFilter) ([]*Screening, string, error)

	// RecordHistory appends entries and returns, for each entry in order, the
	// entries of other screenings under the same Kind and Key whose At lies within
	// entry.Window of entry.At (any time when Window is 0) and, when
	// entry.OthersOnly, whose NameKey differs from entry.NameKey, the newest
	// one per NameKey only; newest first, at most limit each. Appending and reading happen in one atomic step per key, so of two
	// screenings racing on one key the later one always sees the earlier. (A screening
	// that recorded on the key in an earlier call too may find its page short of
	// limit; a store may read the rest after that step.)
	RecordHistory(ctx context.Context, entries []HistoryEntry, limit int) ([][]HistoryEntry, error)
	// ForgetHistory removes entries a failed screening recorded.
	ForgetHistory(ctx context.Context, entries []HistoryEntry) error
	// PruneHistory removes entries received before the cutoff (every kind)
	// and forgets counterparties whose newest entry is older; it returns how
	// many entries went. Data retention: the checks never look further back
	// than their windows, so older entries only cost space.
	PruneHistory(ctx context.Context, before time.Time) (int, error)
	// SeenCounterparties calls fn for every HistoryCounterparty entry with At at or
	// after since (the newest entry per Key only), for delta re-screening.
	SeenCounterparties(ctx context.Context, since time.Time, fn func(HistoryEntry) error) error

	// Case returns one case. ENOTFOUND.
	Case(ctx context.Context, id string) (*Case, error)
	// ListCases returns cases newest first and the next cursor.
	ListCases(ctx context.Context, f CaseFilter) ([]*Case, string, error)
	// UpdateCase replaces the case when the stored Version equals expectVersion and
	// stores it with Version expectVersion+1 (c.Version is set so). ECONFLICT when
	// another update came first; ENOTFOUND when the case does not exist.
	UpdateCase(ctx context.Context, c *Case, expectVersion int, audit AuditRecord) error

	// PutSuppression stores (or replaces) a reviewer's false-positive decision.
	PutSuppression(ctx context.Context, s Suppression, audit AuditRecord) error
	// Suppressions returns the suppressions of one counterparty.
	Suppressions(ctx context.Context, counterpartyKey string) ([]Suppression, error)

	// CreateKey stores a new API key. ECONFLICT when the id or hash exists.
	CreateKey(ctx context.Context, k *APIKey, audit AuditRecord) error
	// KeyByHash finds a key by the hash of its secret. ENOTFOUND.
	KeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// Keys lists every key, oldest first.
	Keys(ctx context.Context) ([]*APIKey, error)
	// RevokeKey marks a key revoked. ENOTFOUND; revoking twice keeps the first time.
	RevokeKey(ctx context.Context, id string, at time.Time, audit AuditRecord) error

	// AppendAudit appends a record on its own (events with no other write) and
	// returns it sealed.
	AppendAudit(ctx context.Context, rec AuditRecord) (AuditRecord, error)
	// Audit returns records in sequence order matching the filter.
	Audit(ctx context.Context, f AuditFilter) ([]AuditRecord, error)

	// SaveSnapshot makes snap the current snapshot of snap.Source, atomically with
	// its audit record; the previous one stays in force until this returns nil.
	SaveSnapshot(ctx context.Context, snap *ListSnapshot, audit AuditRecord) error
	// Snapshot returns the current snapshot of a source with its entries. ENOTFOUND.
	Snapshot(ctx context.Context, source string) (*ListSnapshot, error)
	// Snapshots returns the current snapshot of every source, without entries.
	Snapshots(ctx context.Context) ([]ListSnapshot, error)

	// AddRescreenPending records changed list entries (as opaque strings;
	// the service writes an entry's key and content hash) that have still to
	// be re-screened against the known counterparties; one already recorded
	// stays once. The record outlives a restart, so that a re-screening cut
	// short (a deploy, a crash) is resumed.
	AddRescreenPending(ctx context.Context, items []string) error
	// RescreenPending returns the recorded items, sorted.
	RescreenPending(ctx context.Context) ([]string, error)
	// RemoveRescreenPending removes items once they are re-screened (items
	// not recorded are ignored; items added meanwhile stay).
	RemoveRescreenPending(ctx context.Context, items []string) error

	// CreateWebhook stores a webhook.
	CreateWebhook(ctx context.Context, w *Webhook, audit AuditRecord) error
	// Webhooks lists every webhook.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// Webhook returns one webhook. ENOTFOUND.
	Webhook(ctx context.Context, id string) (*Webhook, error)
	// UpdateWebhook calls change with the stored webhook and stores what it
	// leaves, with the audit record, atomically. change may run more than once
	// (when another update came between) and must keep the id and creation
	// time; when it returns an error nothing is written and that error is
	// returned. Returns the webhook as stored. ENOTFOUND.
	UpdateWebhook(ctx context.Context, id string, change func(*Webhook) error, audit AuditRecord) (*Webhook, error)
	// EnqueueDeliveries adds deliveries to the outbox (an id already there is left
	// as it is) and sets the dispatcher's audit cursor, atomically.
	EnqueueDeliveries(ctx context.Context, ds []Delivery, cursor uint64) error
	// OutboxCursor returns the audit sequence number the dispatcher has read up to.
	OutboxCursor(ctx context.Context) (uint64, error)
	// ClaimDeliveries returns up to limit pending deliveries whose NextAt is not after
	// now and moves their NextAt to now+lease, so that no other worker or replica
	// takes them meanwhile.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// UpdateDelivery stores a delivery's new status, attempts and NextAt.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// Deliveries lists a webhook's deliveries, newest first.
	Deliveries(ctx context.Context, webhookID string, limit int) ([]Delivery, error)

	// Ping reports whether the backend is reachable (EUNAVAILABLE when not).
	Ping(ctx context.Context) error
	// Close releases the backend.
	Close() error
}

// ListWatcher is implemented by stores that can announce a new list snapshot to
// every process at once (Redis pub/sub). The channel carries source names and is
// closed when ctx ends.
type ListWatcher interface {
	WatchSnapshots(ctx context.Context) (<-chan string, error)
}

// ScreeningFilter selects screenings to list.
type ScreeningFilter struct {
	KeyID       string    // only this key's screenings ("" for all)
	CustomerKey string    // only this folded customer name ("" for all)
	Since       time.Time // screened at or after
	Limit       int       // page size (backends cap it at 500)
	Cursor      string    // from the previous page
}

// CaseFilter selects cases to list.
type CaseFilter struct {
	Status      string // open, escalated, cleared, rejected ("" for all)
	Level       Level
	CustomerKey string
	Since       time.Time // created at or after
	Limit       int
	Cursor      string
}

// AuditFilter selects audit records.
type AuditFilter struct {
	AfterSeq uint64    // records with Seq greater than this
	Since    time.Time // records at or after
	Kind     string
	Limit    int // 0: no limit
}

// Cache holds short-lived shared facts: website check results, locks, rate
// counters. In-process by default, Redis when configured, so that replicas share.
type Cache interface {
	// Get returns a value and whether it was there (and not expired). The
	// caller must not change the bytes: a cache may hand out its own.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores a value for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Lock takes a lease on key for ttl; ok is false when another holder has it.
	// release gives it back early (only if still ours).
	Lock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error)
	// Allow counts one request against key within a fixed window and reports whether
	// it is within limit; when it is not, retryAfter says when the window ends.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}
