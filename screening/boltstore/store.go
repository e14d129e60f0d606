// Package boltstore is the embedded, default screening.Store: one bbolt file,
// no server. Every write that carries an audit record seals it inside the same
// transaction, so an action and its record exist together or not at all.
//
// Layout: one bucket per record type (JSON values keyed by id) and one bucket
// per secondary index whose keys sort in the order lists are read (a
// fixed-width time, then the id), so that every list is a cursor walk. See
// the bucket table below. History is the exception: an append-only log
// indexed in memory (historyindex.go).
//
// Screening saves reach the file through a journal: durable once appended
// there, written into bbolt shortly after, many per transaction (journal.go,
// apply.go). Reads of screenings, cases and the audit trail wait for that.
package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets. "→" is what a key maps to; an empty right side means the key alone
// is the index entry.
var (
	bMeta         = []byte("meta")             // "audit_head" → seq(8)+hash; "outbox_cursor" → u64
	bAudit        = []byte("audit")            // seq(8) → stored audit record
	bScreening    = []byte("screening")        // id → Screening JSON
	bScreeningRef = []byte("screening_ref")    // lp(keyID)+reference → id
	bScreeningAt  = []byte("screening_at")     // time(ScreenedAt)+id
	bScreeningKey = []byte("screening_key")    // lp(keyID)+time+id
	bScreeningCus = []byte("screening_cus")    // lp(customerKey)+time+id
	bCase         = []byte("case")             // id → Case JSON
	bCaseAt       = []byte("case_at")          // time(CreatedAt)+id
	bCaseStatus   = []byte("case_status")      // lp(status)+time+id
	bCaseLevel    = []byte("case_level")       // lp(level)+time+id
	bCaseCus      = []byte("case_cus")         // lp(customerKey)+time+id
	bHistoryLog   = []byte("history_log")      // seq(8) → HistoryEntry (historycodec.go); indexed in memory (historyindex.go)
	bHistory      = []byte("history")          // before the log: lp(kind)+lp(key)+time+id+0+hash → entry; moved to the log at open
	bSeenLatest   = []byte("seen_latest")      // before the log; emptied at open
	bSeenAt       = []byte("seen_at")          // before the log; emptied at open
	bSuppression  = []byte("suppression")      // lp(counterpartyKey)+entryKey → Suppression JSON
	bKey          = []byte("key")              // id → APIKey JSON
	bKeyHash      = []byte("key_hash")         // hash → id
	bKeyAt        = []byte("key_at")           // time(CreatedAt)+id
	bSnapshot     = []byte("snapshot")         // source → snapshot meta JSON (no entries)
	bSnapChunk    = []byte("snapshot_chunk")   // lp(source)+dataID(8)+chunk(4) → gzip JSON array of entries
	bWebhook      = []byte("webhook")          // id → Webhook JSON
	bWebhookAt    = []byte("webhook_at")       // time(CreatedAt)+id
	bDelivery     = []byte("delivery")         // id → Delivery JSON
	bDeliveryDue  = []byte("delivery_due")     // time(NextAt)+id, pending deliveries only
	bDeliveryHook = []byte("delivery_hook")    // lp(webhookID)+time(CreatedAt)+id
	bRescreen     = []byte("rescreen_pending") // entry key → (nothing)
)

var allBuckets = [][]byte{
	bMeta, bAudit, bScreening, bScreeningRef, bScreeningAt, bScreeningKey, bScreeningCus,
	bCase, bCaseAt, bCaseStatus, bCaseLevel, bCaseCus, bHistoryLog, bHistory, bSeenLatest, bSeenAt,
	bSuppression, bKey, bKeyHash, bKeyAt, bSnapshot, bSnapChunk, bWebhook, bWebhookAt,
	bDelivery, bDeliveryDue, bDeliveryHook, bRescreen,
}

// ErrLocked is returned (wrapped) by Open when another process holds the file.
var ErrLocked = errors.New("boltstore: database file is locked by another process")

// Options tune Open. The zero value is fine.
type Options struct {
	// Now is the clock for audit records appended without a time (time.Now when nil).
	Now func() time.Time
	// Timeout bounds the wait for the file lock; 0 means one second. Open
	// never waits forever, so a second process fails fast with ErrLocked.
	Timeout time.Duration
}

// Store is a screening.Store on one bbolt file. Safe for concurrent use.
type Store struct {
	db        *bolt.DB
	path      string
	now       func() time.Time
	watch     *fanout
	history   *historyIndex
	commits   groupCommit
	journal   *journal
	unapplied *unappliedSaves
	frames    framePool
	turned    *turnedFile   // the applier's: a journal file waiting to be emptied
	replayed  int           // saves found in the journal at open
	nextSeq   atomic.Uint64 // the last history log number given out
	stopFlush chan struct{}
	flushDone chan struct{}
	// beforeHistoryRead, when set by a test, runs in RecordHistory between
	// the index look-up and fetching the records it found.
	beforeHistoryRead func()
	closeOnce         sync.Once
	closeErr          error
}

var (
	_ screening.Store       = (*Store)(nil)
	_ screening.ListWatcher = (*Store)(nil)
)

// Open opens (or creates) the store at path, creating its folder when needed.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("boltstore: create folder for %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("boltstore: open %s: %w (waited %v)", path, ErrLocked, opts.Timeout)
		}
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, watch: newFanout(), history: newHistoryIndex(),
		unapplied: newUnappliedSaves(), stopFlush: make(chan struct{}), flushDone: make(chan struct{})}
	// Saves acknowledged before a crash go into bbolt before the history
	// index is built from it.
	j, frames, err := openJournal(path)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s.journal = j
	if err := s.replayJournal(frames); err != nil {
		_ = j.close(false)
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if err := s.loadHistory(); err != nil {
		_ = j.close(false)
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	go s.applyLoop()
	go s.flushLoop(s.stopFlush, s.flushDone)
	return s, nil
}

// Replayed is the number of saves Open found in the journal and wrote into
// the store: acknowledged before a crash (or a failed apply) and not applied.
func (s *Store) Replayed() int { return s.replayed }

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close ends every watch, writes the history still pending and closes the
// file. Calling it again is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.watch.close()
		// Saves stop, the applier writes what the journal holds into bbolt,
		// and only then are the journal files emptied.
		s.journal.stopAppends()
		close(s.unapplied.stop)
		<-s.unapplied.done
		journalErr := s.journal.close(s.unapplied.allApplied())
		close(s.stopFlush)
		<-s.flushDone
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		flushErr := s.flushHistory(ctx, time.Now().Add(time.Hour))
		s.closeErr = errors.Join(journalErr, flushErr, s.db.Close())
	})
	return s.closeErr
}

// Ping reports EUNAVAILABLE once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.fail("ping", s.db.View(func(*bolt.Tx) error { return nil })); err != nil {
		return err
	}
	s.unapplied.mu.Lock()
	applyErr := s.unapplied.err
	s.unapplied.mu.Unlock()
	if applyErr != nil {
		return fmt.Errorf("boltstore: ping: %w", errApply(applyErr))
	}
	if broken := s.journal.err(); broken != nil {
		return fmt.Errorf("boltstore: ping: %w", screening.Errorf(screening.EUNAVAILABLE, "%v", broken))
	}
	return nil
}

// fail wraps err with the operation. A closed database is EUNAVAILABLE;
// domain errors keep their code.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("boltstore: %s: %w", op, screening.Errorf(screening.EUNAVAILABLE, "the store is closed"))
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// view and update run fn after checking ctx (bbolt itself takes no
// context) and after every save acknowledged so far is applied (apply.go),
// so that reads and other writes see the saves and the audit chain stays in
// the order of the acknowledgements.
func (s *Store) view(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := s.settle(ctx); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return s.viewNow(ctx, op, fn)
}

// viewNow is view without waiting for unapplied saves, for reads of what
// saves do not write (keys, suppressions, lists) or that look at the
// unapplied saves themselves, on the screening hot path.
func (s *Store) viewNow(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return s.fail(op, s.db.View(fn))
}

func (s *Store) update(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := s.settle(ctx); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return s.updateNow(ctx, op, fn)
}

// updateNow is update without waiting for unapplied saves, for writes that
// neither read what saves write nor append to the audit trail (the outbox).
func (s *Store) updateNow(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return s.fail(op, s.db.Update(fn))
}

// batch is update shared with concurrent callers: they commit together
// (groupcommit.go). fn may run more than once (when another function of the
// group fails), so fn must reset whatever it reports back on every run.
func (s *Store) batch(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return s.fail(op, s.commits.run(s.db, fn))
}

// appendBucket returns a bucket whose new keys come in ascending order
// (sequence numbers, time-ordered ids), set to fill its pages. bbolt splits
// a page at half full by default, which suits random inserts; for appends
// it leaves every page half empty, so the file and each commit's writes grow
// twice as fast as the data.
func appendBucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	b.FillPercent = 1.0
	return b
}

// writeBucket is appendBucket for the buckets whose keys are appended
// (appendOrder), tx.Bucket for the rest.
func writeBucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	if appendOrder[string(name)] {
		return appendBucket(tx, name)
	}
	return tx.Bucket(name)
}

// appendOrder names the buckets whose keys grow with time: a sequence
// number, a time-ordered id, or a time first.
var appendOrder = map[string]bool{
	string(bAudit): true, string(bHistoryLog): true, string(bScreening): true,
	string(bScreeningAt): true, string(bCase): true, string(bCaseAt): true,
}

// getJSON decodes the value at key into v; found is false when absent.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode record %q: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

// walkDesc visits the keys of b that start with prefix, greatest first,
// beginning strictly below prefix+after (at the greatest key when after is nil)
// and stopping below prefix+min (no bound when min is nil). fn receives the
// part of the key after prefix and the value, and returns false to stop. fn
// must not modify b.
func walkDesc(b *bolt.Bucket, prefix, after, min []byte, fn func(rest, value []byte) (bool, error)) error {
	c := b.Cursor()
	var k, v []byte
	upper := successor(prefix)
	if after != nil {
		upper = cat(prefix, after)
	}
	if upper == nil {
		k, v = c.Last()
	} else if k, _ = c.Seek(upper); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	var lower []byte
	if min != nil {
		lower = cat(prefix, min)
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		if lower != nil && bytes.Compare(k, lower) < 0 {
			return nil
		}
		more, err := fn(k[len(prefix):], v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// walkAsc visits the keys of b that start with prefix, least first, beginning
// at prefix+from (inclusive; the first key when from is nil).
func walkAsc(b *bolt.Bucket, prefix, from []byte, fn func(rest, value []byte) (bool, error)) error {
	c := b.Cursor()
	k, v := c.Seek(cat(prefix, from))
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		more, err := fn(k[len(prefix):], v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// page lists the records an index points at, newest first: it walks the
// index below cursor and down to since, loads each record by the id that
// follows the time in the index key, keeps those match accepts, and returns
// at most limit with the cursor of the next page ("" when there is none).
func page[T any](tx *bolt.Tx, index, records, prefix []byte, since time.Time, cursor string, limit int,
	match func(*T) bool) ([]*T, string, error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	var min []byte
	if !since.IsZero() {
		min = timeKey(since)
	}
	limit = pageSize(limit)
	rb := tx.Bucket(records)
	var out []*T
	var last []byte
	next := ""
	err = walkDesc(tx.Bucket(index), prefix, after, min, func(rest, _ []byte) (bool, error) {
		if len(rest) <= timeLen {
			return false, fmt.Errorf("index key too short: %x", rest)
		}
		v := new(T)
		found, err := getJSON(rb, rest[timeLen:], v)
		if err != nil {
			return false, err
		}
		if !found {
			return false, fmt.Errorf("index points at missing record %q", rest[timeLen:])
		}
		if match != nil && !match(v) {
			return true, nil
		}
		if len(out) == limit {
			next = encodeCursor(last)
			return false, nil
		}
		out = append(out, v)
		last = bytes.Clone(rest)
		return true, nil
	})
	return out, next, err
}

// auditHead is where the newest sealed record's seq and hash are kept, so
// that appending never needs to decode the previous record.
var auditHead = []byte("audit_head")

// storedAudit is an AuditRecord as kept on disk. Data is stored as raw bytes
// (base64 in JSON): encoding it as a json.RawMessage would compact it, and
// the hash covers it byte for byte.
type storedAudit struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Actor    string    `json:"actor"`
	Subject  string    `json:"subject"`
	Data     []byte    `json:"data,omitempty"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// appendAudit seals rec as the successor of the current head and stores it,
// inside tx: the caller's write and its record commit together.
func (s *Store) appendAudit(tx *bolt.Tx, rec screening.AuditRecord) (screening.AuditRecord, error) {
	meta := tx.Bucket(bMeta)
	if rec.At.IsZero() {
		rec.At = s.now()
	}
	var prev *screening.AuditRecord
	if head := meta.Get(auditHead); head != nil {
		if len(head) < 8 {
			return rec, fmt.Errorf("audit head is corrupt (%d bytes)", len(head))
		}
		prev = &screening.AuditRecord{Seq: binary.BigEndian.Uint64(head[:8]), Hash: string(head[8:])}
	}
	rec.Seal(prev)
	data, err := json.Marshal(storedAudit{rec.Seq, rec.At, rec.Kind, rec.Actor, rec.Subject, rec.Data, rec.PrevHash, rec.Hash})
	if err != nil {
		return rec, fmt.Errorf("encode audit record: %w", err)
	}
	if err := appendBucket(tx, bAudit).Put(u64(rec.Seq), data); err != nil {
		return rec, err
	}
	return rec, meta.Put(auditHead, cat(u64(rec.Seq), []byte(rec.Hash)))
}

// AppendAudit appends a record on its own and returns it sealed.
func (s *Store) AppendAudit(ctx context.Context, rec screening.AuditRecord) (screening.AuditRecord, error) {
	var sealed screening.AuditRecord
	err := s.update(ctx, "append audit", func(tx *bolt.Tx) error {
		var err error
		sealed, err = s.appendAudit(tx, rec)
		return err
	})
	return sealed, err
}

// Audit returns records in sequence order matching f.
func (s *Store) Audit(ctx context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error) {
	var out []screening.AuditRecord
	err := s.view(ctx, "read audit", func(tx *bolt.Tx) error {
		return walkAsc(tx.Bucket(bAudit), nil, u64(f.AfterSeq+1), func(_, v []byte) (bool, error) {
			var r storedAudit
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("decode audit record: %w", err)
			}
			if (f.Kind != "" && r.Kind != f.Kind) || (!f.Since.IsZero() && r.At.Before(f.Since)) {
				return true, nil
			}
			out = append(out, screening.AuditRecord{Seq: r.Seq, At: r.At, Kind: r.Kind, Actor: r.Actor, Subject: r.Subject,
				Data: json.RawMessage(r.Data), PrevHash: r.PrevHash, Hash: r.Hash})
			return f.Limit <= 0 || len(out) < f.Limit, nil
		})
	})
	return out, err
}
