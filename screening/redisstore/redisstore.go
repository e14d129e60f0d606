// Package redisstore is the screening.Store (and screening.Cache) on Redis,
// for several hikiai replicas sharing one state. Every write that carries an
// audit record runs as one Lua script that checks the chain head, writes the
// records and appends the sealed audit record, so an action and its record
// exist together or not at all. README.md describes the key layout.
package redisstore

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// Options tune New. The zero value is fine.
type Options struct {
	// Prefix goes in front of every key and channel, so that several stores
	// (tests, tenants) share one server. It must not contain braces: the hash
	// tags come after it.
	Prefix string
	// Now is the clock for audit records appended without a time (time.Now when nil).
	Now func() time.Time
}

// Store is a screening.Store on Redis. Safe for concurrent use.
type Store struct {
	c      redis.UniversalClient
	prefix string
	now    func() time.Time
	closed atomic.Bool

	chain   chainWriter // batches the audit-chained writes (chain.go)
	scripts *scriptPipe // batches the history look-ups and the reference look-up (scriptbatch.go)

	watchMu sync.Mutex
	watches map[*redis.PubSub]struct{}
}

var (
	_ screening.Store       = (*Store)(nil)
	_ screening.ListWatcher = (*Store)(nil)
)

// New returns a store on client. The client stays the caller's: Close does
// not close it (a Cache may share it).
func New(client redis.UniversalClient, opts Options) *Store {
	if strings.ContainsAny(opts.Prefix, "{}") {
		// A brace in the prefix would move the hash tag; refuse loudly, this is a wiring bug.
		panic("redisstore: Prefix must not contain { or }: " + opts.Prefix)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{c: client, prefix: opts.Prefix, now: opts.Now, watches: map[*redis.PubSub]struct{}{}}
	d := &drainer{send: s.sendBatch}
	s.scripts, s.chain.d = newScriptPipe(client, d), d
	return s
}

// k names a key of the transactional records. They all share the hash tag
// {hk}: every write among them also appends to the one audit chain, so they
// must live in one slot for a script to touch them together.
func (s *Store) k(parts ...string) string {
	return s.prefix + "{hk}:" + strings.Join(parts, ":")
}

// historyKey names the sorted set of one history kind and key. Each has its
// own tag: RecordHistory is atomic per key only, and spreading keys over
// slots spreads the busiest index of all across a cluster.
func (s *Store) historyKey(kind, key string) string {
	return s.prefix + "{h:" + kind + ":" + key + "}"
}

// indexSuffixes name, after its history key, the two keys of a set's
// company index (the sorted set, the hash). They share the set's slot, and
// never end in "}" as history keys do.
var indexSuffixes = [2]string{":co", ":nk"}

// historyKeys names a history set and its company index, the keys of the
// history scripts.
func (s *Store) historyKeys(kind, key string) []string { return withIndex(s.historyKey(kind, key)) }

// withIndex is history key h and the keys of its company index.
func withIndex(h string) []string { return []string{h, h + indexSuffixes[0], h + indexSuffixes[1]} }

// seenKey names the counterparty "last seen" index (its own slot: it is
// written after the history script of each counterparty).
func (s *Store) seenKey(part string) string { return s.prefix + "{seen}:" + part }

func (s *Store) snapshotChannel() string { return s.prefix + "{hk}:snapshots" }

// Close ends every snapshot watch. Later calls fail with EUNAVAILABLE. The
// client is not closed (it belongs to the caller).
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for ps := range s.watches {
		_ = ps.Close()
		delete(s.watches, ps)
	}
	return nil
}

// open fails with EUNAVAILABLE once the store is closed.
func (s *Store) open(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("redisstore: %s: %w", op, screening.Errorf(screening.EUNAVAILABLE, "the store is closed"))
	}
	return nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.open("ping"); err != nil {
		return err
	}
	return s.fail("ping", s.c.Ping(ctx).Err())
}

// CheckPersistence reports whether the server writes an append-only file.
// Without AOF a restart loses the writes since the last RDB snapshot, which an
// audit trail cannot afford; the caller logs a warning. Where CONFIG is
// disabled (managed Redis often renames it) INFO persistence answers instead.
func (s *Store) CheckPersistence(ctx context.Context) (aofOn bool, err error) {
	cfg, cfgErr := s.c.ConfigGet(ctx, "appendonly").Result()
	if cfgErr == nil {
		if v, ok := cfg["appendonly"]; ok {
			return v == "yes", nil
		}
	}
	info, infoErr := s.c.Info(ctx, "persistence").Result()
	if infoErr != nil {
		return false, fmt.Errorf("redisstore: check persistence: CONFIG GET: %v; INFO: %w", cfgErr, s.fail("info", infoErr))
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "aof_enabled:"); ok {
			return v == "1", nil
		}
	}
	return false, fmt.Errorf("redisstore: check persistence: neither CONFIG GET appendonly (%v) nor INFO persistence says", cfgErr)
}

// fail wraps err with the operation; connection trouble becomes EUNAVAILABLE
// (the cause stays in the chain for the log), domain errors keep their code.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if unreachable(err) {
		return fmt.Errorf("redisstore: %s: %w: %w", op, screening.Errorf(screening.EUNAVAILABLE, "the store is not reachable"), err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// unreachable reports errors that mean "Redis is not there (now)" rather than
// "this request is wrong".
func unreachable(err error) bool {
	var netErr net.Error
	switch {
	case errors.Is(err, redis.ErrClosed), errors.Is(err, redis.ErrPoolTimeout),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.As(err, &netErr):
		return true
	}
	return redis.IsLoadingError(err) || redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsReadOnlyError(err) || redis.IsMasterDownError(err) || redis.IsMaxClientsError(err)
}

// timeKey is the 24-hex-digit form of t used at the front of sorted-set
// members: seconds with the sign bit flipped, then nanoseconds, so that byte
// order (ZRANGEBYLEX) equals time order for every time.Time.
func timeKey(t time.Time) string {
	var b [12]byte
	sec := uint64(t.Unix()) ^ (1 << 63)
	for i := range 8 {
		b[i] = byte(sec >> (56 - 8*i))
	}
	ns := uint32(t.Nanosecond())
	for i := range 4 {
		b[8+i] = byte(ns >> (24 - 8*i))
	}
	return hex.EncodeToString(b[:])
}

const timeKeyLen = 24

func parseTimeKey(s string) (time.Time, error) {
	if len(s) < timeKeyLen {
		return time.Time{}, fmt.Errorf("time key %q too short", s)
	}
	b, err := hex.DecodeString(s[:timeKeyLen])
	if err != nil {
		return time.Time{}, fmt.Errorf("time key %q: %w", s[:timeKeyLen], err)
	}
	var sec uint64
	for _, c := range b[:8] {
		sec = sec<<8 | uint64(c)
	}
	var ns uint32
	for _, c := range b[8:] {
		ns = ns<<8 | uint32(c)
	}
	return time.Unix(int64(sec^(1<<63)), int64(ns)).UTC(), nil
}

// score is the sorted-set score of t: microseconds, exact in a float64 until
// the year 2255. Used where ranges are numeric (due deliveries, last seen).
func score(t time.Time) float64 { return float64(t.UnixMicro()) }

// maxPage caps every list call ("backends cap it at 500").
const maxPage = 500

func pageSize(limit int) int {
	if limit <= 0 || limit > maxPage {
		return maxPage
	}
	return limit
}

func encodeCursor(member string) string { return base64.RawURLEncoding.EncodeToString([]byte(member)) }

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > timeKeyLen {
		if _, err = hex.DecodeString(string(b[:timeKeyLen])); err == nil {
			return string(b), nil
		}
	}
	return "", screening.Errorf(screening.EINVALID, "cursor %q is not one this store returned", c)
}

// storedAudit is an AuditRecord as kept in Redis. Data is raw bytes (base64
// in JSON): as a json.RawMessage it would be compacted, and the hash covers it
// byte for byte.
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

func (r *storedAudit) record() screening.AuditRecord {
	return screening.AuditRecord{Seq: r.Seq, At: r.At, Kind: r.Kind, Actor: r.Actor, Subject: r.Subject,
		Data: json.RawMessage(r.Data), PrevHash: r.PrevHash, Hash: r.Hash}
}

// parseHead reads the "seq hash" head value ("" for an empty chain).
func parseHead(head string) (*screening.AuditRecord, error) {
	if head == "" {
		return nil, nil
	}
	seqText, hash, ok := strings.Cut(head, " ")
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if !ok || err != nil {
		return nil, fmt.Errorf("audit head %q is corrupt", head)
	}
	return &screening.AuditRecord{Seq: seq, Hash: hash}, nil
}

// replyError turns a script's refusal ({"conflict", why} or {"notfound", why})
// into the domain error.
func replyError(reply []any) error {
	status, _ := reply[0].(string)
	why := status
	if len(reply) > 1 {
		why, _ = reply[1].(string)
	}
	switch status {
	case "ok":
		return nil
	case "conflict":
		return screening.Errorf(screening.ECONFLICT, "%s", why)
	case "notfound":
		return screening.Errorf(screening.ENOTFOUND, "%s", why)
	}
	return fmt.Errorf("unexpected script reply %v", reply)
}

// getJSON reads one JSON string value; found is false when the key is absent.
func (s *Store) getJSON(ctx context.Context, key string, v any) (bool, error) {
	data, err := s.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// loadAll reads the JSON values of keys (one MGET: they share a slot) and
// fails when one is missing, which would be a broken index.
func loadAll[T any](ctx context.Context, c redis.UniversalClient, keys []string) ([]*T, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	vals, err := c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(vals))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("index points at missing %s", keys[i])
		}
		out[i] = new(T)
		if err := json.Unmarshal([]byte(str), out[i]); err != nil {
			return nil, fmt.Errorf("decode %s: %w", keys[i], err)
		}
	}
	return out, nil
}

// page lists records through a lex-ordered index of "timeKey+id" members,
// newest first: below cursor, down to since, keeping those match accepts, at
// most limit, plus the cursor of the next page. key maps an id to its record.
func page[T any](ctx context.Context, c redis.UniversalClient, index string, since time.Time, cursor string, limit int,
	key func(id string) string, match func(*T) bool) ([]*T, string, error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = pageSize(limit)
	hi, lo := "+", "-"
	if after != "" {
		hi = "(" + after
	}
	if !since.IsZero() {
		lo = "[" + timeKey(since)
	}
	var out []*T
	last := ""
	for {
		batch := limit + 1 - len(out)
		if match != nil {
			batch = max(batch, 100) // filtered: read ahead, most may not match
		}
		members, err := c.ZRevRangeByLex(ctx, index, &redis.ZRangeBy{Max: hi, Min: lo, Count: int64(batch)}).Result()
		if err != nil {
			return nil, "", err
		}
		keys := make([]string, len(members))
		for i, m := range members {
			if len(m) <= timeKeyLen {
				return nil, "", fmt.Errorf("index %s has a malformed member %q", index, m)
			}
			keys[i] = key(m[timeKeyLen:])
		}
		recs, err := loadAll[T](ctx, c, keys)
		if err != nil {
			return nil, "", err
		}
		for i, r := range recs {
			if match != nil && !match(r) {
				continue
			}
			if len(out) == limit {
				return out, encodeCursor(last), nil
			}
			out = append(out, r)
			last = members[i]
		}
		if len(members) < batch {
			return out, "", nil
		}
		hi = "(" + members[len(members)-1]
	}
}
