package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Audit record kinds.
const (
	AuditScreening   = "screening"
	AuditDecision    = "decision"
	AuditSuppression = "suppression"
	AuditKey         = "key"
	AuditListImport  = "list_import"
	AuditWebhook     = "webhook"
	AuditRescreen    = "rescreen"
	// AuditRescreenHeld: a re-screening found a counterparty's hits already
	// held in a case and opened none; the record shows the list change was
	// checked against the party all the same. Not announced to webhooks.
	AuditRescreenHeld = "rescreen_held"
)

// AuditRecord is one link of the append-only audit chain. The store assigns
// Seq, PrevHash and Hash inside the same transaction that writes the action,
// so an action and its record exist together or not at all.
type AuditRecord struct {
	Seq      uint64          `json:"seq"`
	At       time.Time       `json:"at"`
	Kind     string          `json:"kind"`
	Actor    string          `json:"actor"`   // key id, "system" or "cli"
	Subject  string          `json:"subject"` // id of what the record is about
	Data     json.RawMessage `json:"data,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// GenesisHash is the PrevHash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash is SHA-256 over the previous hash and every field but Hash, in a
// fixed layout, so that changing any byte of any record breaks the chain.
func (r *AuditRecord) ComputeHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%s\n%s\n%s\n", r.PrevHash, r.Seq, r.At.UTC().Format(time.RFC3339Nano), r.Kind, r.Actor, r.Subject)
	h.Write(r.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal fills Seq, PrevHash and Hash as the successor of prev (nil for the first).
func (r *AuditRecord) Seal(prev *AuditRecord) {
	if prev == nil {
		r.Seq, r.PrevHash = 1, GenesisHash
	} else {
		r.Seq, r.PrevHash = prev.Seq+1, prev.Hash
	}
	r.At = r.At.UTC()
	r.Hash = r.ComputeHash()
}

// NewAuditRecord builds an unsealed record with data marshalled to JSON.
func NewAuditRecord(at time.Time, kind, actor, subject string, data any) AuditRecord {
	b, err := json.Marshal(data)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"marshal_error": err.Error()})
	}
	return AuditRecord{At: at.UTC(), Kind: kind, Actor: actor, Subject: subject, Data: b}
}

// VerifyChain checks records in sequence order (starting from the first record of the
// log or from a trusted predecessor prev). It returns the sequence number of the first
// broken record and an error saying why, or 0 and nil.
func VerifyChain(prev *AuditRecord, records []AuditRecord) (uint64, error) {
	for i := range records {
		r := &records[i]
		wantSeq, wantPrev := uint64(1), GenesisHash
		if prev != nil {
			wantSeq, wantPrev = prev.Seq+1, prev.Hash
		}
		switch {
		case r.Seq != wantSeq:
			return r.Seq, fmt.Errorf("record %d: expected sequence %d (a record is missing or out of order)", r.Seq, wantSeq)
		case r.PrevHash != wantPrev:
			return r.Seq, fmt.Errorf("record %d: prev_hash does not match the hash of record %d", r.Seq, wantSeq-1)
		case r.ComputeHash() != r.Hash:
			return r.Seq, fmt.Errorf("record %d: content does not match its hash (edited)", r.Seq)
		}
		prev = r
	}
	return 0, nil
}
