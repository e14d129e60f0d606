package screening

import (
	"time"
)

// Level is the band a score falls in.
type Level string

const (
	LevelLow    Level = "low"
	LevelMedium Level = "medium"
	LevelHigh   Level = "high"
)

// Action is what the caller should do with the inquiry.
type Action string

const (
	ActionProceed Action = "proceed"
	ActionReview  Action = "review"
	ActionBlock   Action = "block"
)

// Severity of one flag.
const (
	SeverityInfo   = "info"
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// Flag is one red flag found in an inquiry, with the evidence a person needs
// to act on it.
type Flag struct {
	Code       string         `json:"code"`
	Severity   string         `json:"severity"`
	Points     int            `json:"points"`
	Party      string         `json:"party,omitempty"`
	Message    string         `json:"message"`
	MessageJA  string         `json:"message_ja"`
	Evidence   map[string]any `json:"evidence,omitempty"`
	Suppressed bool           `json:"suppressed,omitempty"` // a reviewer marked it a false positive: shown, no points
	// Block forces action "block" whatever the score (a strong denied-party match).
	Block bool `json:"block,omitempty"`
}

// Result is the answer to one screening.
type Result struct {
	ID           string    `json:"id"`
	Reference    string    `json:"reference,omitempty"`
	Score        int       `json:"score"`
	Level        Level     `json:"level"`
	Action       Action    `json:"action"`
	CaseID       string    `json:"case_id,omitempty"`
	Flags        []Flag    `json:"flags"`
	Reasons      []string  `json:"reasons,omitempty"` // why the action is not proceed although the score is low (data missing, ...)
	ListsVersion string    `json:"lists_version"`
	ScreenedAt   time.Time `json:"screened_at"`
}

// Screening is a stored result with what produced it.
type Screening struct {
	Result
	KeyID       string  `json:"key_id"`       // API key that asked
	BodyHash    string  `json:"body_hash"`    // canonical hash of the inquiry, for idempotency
	CustomerKey string  `json:"customer_key"` // folded customer name, for listing by customer
	Inquiry     Inquiry `json:"inquiry"`
}

// Case statuses. A case opens for every screening whose action is review or block.
const (
	CaseOpen      = "open"
	CaseEscalated = "escalated"
	CaseCleared   = "cleared"
	CaseRejected  = "rejected"
)

// Decisions a reviewer can take.
const (
	DecisionClear    = "clear"
	DecisionReject   = "reject"
	DecisionEscalate = "escalate"
)

// Case is a held screening waiting for, or carrying, a reviewer's decision.
type Case struct {
	ID          string     `json:"id"`
	ScreeningID string     `json:"screening_id"`
	Status      string     `json:"status"`
	Level       Level      `json:"level"`
	Action      Action     `json:"action"`
	Score       int        `json:"score"`
	Customer    string     `json:"customer"`
	CustomerKey string     `json:"customer_key"`
	FlagCodes   []string   `json:"flag_codes,omitempty"`
	KeyID       string     `json:"key_id"` // who screened
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Decisions   []Decision `json:"decisions,omitempty"`
	Version     int        `json:"version"` // bumped on every update; optimistic concurrency
}

// Decision is one reviewer's step on a case.
type Decision struct {
	Decision string    `json:"decision"`
	Reason   string    `json:"reason"`
	KeyID    string    `json:"key_id"`
	KeyName  string    `json:"key_name,omitempty"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
	// Pending is set on a first "clear" of a block case that needs a second reviewer.
	Pending bool `json:"pending,omitempty"`
}

// Roles of API keys.
const (
	RoleSales    = "sales"
	RoleERP      = "erp"
	RoleReviewer = "reviewer"
	RoleAdmin    = "admin"
)

// APIKey is a stored key; the secret itself is never stored, only its hash.
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Hash      string     `json:"hash"` // hex SHA-256 of the secret
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	switch r {
	case RoleSales, RoleERP, RoleReviewer, RoleAdmin:
		return true
	}
	return false
}

// HistoryEntry records that a screening said something the red flags compare
// across inquiries: a product asked for, a contact value given, an end user
// named in a deal, a counterparty seen. Kind and Key together are the index.
type HistoryEntry struct {
	Kind        string    `json:"kind"` // HistoryProduct, HistoryContact, HistoryDeal, HistoryCounterparty
	Key         string    `json:"key"`  // normalised value: product code, "email:a@b.cn", deal id, folded name
	ScreeningID string    `json:"screening_id"`
	Reference   string    `json:"reference,omitempty"`
	At          time.Time `json:"at"`       // the inquiry's received_at
	Party       string    `json:"party"`    // role of the party that gave the value
	Name        string    `json:"name"`     // the party's name as written
	NameKey     string    `json:"name_key"` // folded name
	Country     string    `json:"country,omitempty"`
	Value       string    `json:"value,omitempty"` // the value as written (phone, address, ...), for evidence
	// Window bounds the look-up around At (both sides, since inquiries arrive out of
	// order); zero means any time. Not stored.
	Window time.Duration `json:"-"`
	// OthersOnly limits the look-up to entries with another NameKey, one per
	// NameKey (its newest), so that neither a company's own repeats nor
	// another's crowd other companies out of the limit. Not stored.
	OthersOnly bool `json:"-"`
}

// History kinds.
const (
	HistoryProduct      = "product"
	HistoryContact      = "contact"
	HistoryDeal         = "deal"
	HistoryCounterparty = "counterparty"
)

// Suppression is a reviewer's "good guy" decision: this list entry is not this
// counterparty. It holds while the entry's content hash is unchanged.
type Suppression struct {
	CounterpartyKey string    `json:"counterparty_key"` // folded name
	EntryKey        string    `json:"entry_key"`        // Entry.Key()
	EntryHash       string    `json:"entry_hash"`       // Entry.ContentHash() when decided
	Reason          string    `json:"reason"`
	KeyID           string    `json:"key_id"`
	CaseID          string    `json:"case_id,omitempty"`
	At              time.Time `json:"at"`
}

// Webhook is an ERP endpoint that receives events.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"` // kept to sign deliveries; never returned after creation
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled,omitempty"`
	// PreviousSecret, after a rotation that kept it, also signs deliveries
	// until PreviousSecretUntil, so that a receiver can change its secret
	// after ours without refusing deliveries meanwhile.
	PreviousSecret      string    `json:"previous_secret,omitempty"`
	PreviousSecretUntil time.Time `json:"previous_secret_until,omitzero"`
	// DeletedAt is set when an admin deleted the webhook: it is disabled and
	// its secrets are gone, and the API no longer shows it, but it stays in
	// the store so that its deliveries and audit records still name it.
	DeletedAt time.Time `json:"deleted_at,omitzero"`
}

// Deleted reports a webhook an admin deleted (DeletedAt).
func (w *Webhook) Deleted() bool { return !w.DeletedAt.IsZero() }

// SigningSecrets are the secrets that sign a delivery sent at t: the
// current one, then the previous one while it is kept.
func (w *Webhook) SigningSecrets(t time.Time) []string {
	if w.PreviousSecret != "" && t.Before(w.PreviousSecretUntil) {
		return []string{w.Secret, w.PreviousSecret}
	}
	return []string{w.Secret}
}

// ApplyWebhookChange runs a Store.UpdateWebhook change on w, a stored
// webhook, and refuses a change that moved its id or creation time (the
// stores index it by both).
func ApplyWebhookChange(w *Webhook, change func(*Webhook) error) error {
	id, created := w.ID, w.CreatedAt
	if err := change(w); err != nil {
		return err
	}
	if w.ID != id || !w.CreatedAt.Equal(created) {
		return Errorf(EINVALID, "an update must keep the webhook's id and creation time")
	}
	return nil
}

// Delivery is one event for one webhook in the durable outbox.
type Delivery struct {
	ID        string            `json:"id"` // webhook id + event id: enqueueing twice is a no-op
	WebhookID string            `json:"webhook_id"`
	EventID   string            `json:"event_id"` // idempotency id the receiver sees
	Event     string            `json:"event"`
	Payload   []byte            `json:"payload"`
	Status    string            `json:"status"` // pending, delivered, failed
	Attempts  []DeliveryAttempt `json:"attempts,omitempty"`
	NextAt    time.Time         `json:"next_at"`
	CreatedAt time.Time         `json:"created_at"`
}

// DeliveryAttempt is one try to deliver.
type DeliveryAttempt struct {
	At       time.Time `json:"at"`
	Status   int       `json:"status,omitempty"`
	Error    string    `json:"error,omitempty"`
	Duration string    `json:"duration"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)
