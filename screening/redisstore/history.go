package redisstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/internal/varint"
	"github.com/redis/go-redis/v9"
)

// maxHistory caps the entries RecordHistory returns per entry; a limit of 0
// or less means the cap.
const maxHistory = 1000

// seenPage is how many counterparties SeenCounterparties reads per round trip.
const seenPage = 500

// A history member is timeKey + screening id + NUL + body, so that byte
// order is time order, then id order. The body is the rest of the entry (kind
// and key are the set's name, so they are not repeated in each of possibly
// millions of members): a version byte, then Reference, Party, Name, NameKey,
// Country and Value, each as a uvarint length and its bytes. Members are read
// by the hundred on every screening, and this reads about ten times faster
// than JSON. A body starting with '{' is the JSON of earlier versions.
const memberBodyV1 = 1

// legacyBody is the JSON body of earlier versions, still read.
type legacyBody struct {
	Reference string `json:"r,omitempty"`
	Party     string `json:"p,omitempty"`
	Name      string `json:"n,omitempty"`
	NameKey   string `json:"k,omitempty"`
	Country   string `json:"c,omitempty"`
	Value     string `json:"v,omitempty"`
}

func historyMember(e *screening.HistoryEntry) string {
	fields := bodyFields(e)
	n := timeKeyLen + len(e.ScreeningID) + 2
	for _, f := range fields {
		n += binary.MaxVarintLen32 + len(*f)
	}
	b := make([]byte, 0, n)
	b = append(b, timeKey(e.At)...)
	b = append(b, e.ScreeningID...)
	b = append(b, 0, memberBodyV1)
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(*f)))
		b = append(b, *f...)
	}
	return string(b)
}

// bodyFields are the fields of a member body in stored order; append new ones
// at the end only.
func bodyFields(e *screening.HistoryEntry) [6]*string {
	return [6]*string{&e.Reference, &e.Party, &e.Name, &e.NameKey, &e.Country, &e.Value}
}

func parseMember(kind, key, m string) (screening.HistoryEntry, error) {
	at, err := parseTimeKey(m)
	if err != nil {
		return screening.HistoryEntry{}, err
	}
	id, body, ok := strings.Cut(m[timeKeyLen:], "\x00")
	if !ok {
		return screening.HistoryEntry{}, fmt.Errorf("history member of %s %q has no body", kind, key)
	}
	e := screening.HistoryEntry{Kind: kind, Key: key, ScreeningID: id, At: at}
	if strings.HasPrefix(body, "{") {
		var b legacyBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return screening.HistoryEntry{}, fmt.Errorf("decode history member of %s %q: %w", kind, key, err)
		}
		e.Reference, e.Party, e.Name, e.NameKey, e.Country, e.Value = b.Reference, b.Party, b.Name, b.NameKey, b.Country, b.Value
		return e, nil
	}
	if body == "" || body[0] != memberBodyV1 {
		return screening.HistoryEntry{}, fmt.Errorf("history member of %s %q: unknown encoding", kind, key)
	}
	rest := body[1:]
	for i, f := range bodyFields(&e) {
		n, size := varint.Uvarint(rest)
		if size <= 0 || uint64(len(rest)-size) < n {
			return screening.HistoryEntry{}, fmt.Errorf("history member of %s %q: field %d truncated", kind, key, i)
		}
		*f = rest[size : size+int(n)]
		rest = rest[size+int(n):]
	}
	if rest != "" {
		return screening.HistoryEntry{}, fmt.Errorf("history member of %s %q: trailing bytes", kind, key)
	}
	return e, nil
}

func validHistory(entries []screening.HistoryEntry) error {
	for i, e := range entries {
		switch {
		case e.Kind == "" || e.Key == "":
			return screening.Errorf(screening.EINVALID, "history entry %d: kind and key are required", i)
		case e.ScreeningID == "" || strings.IndexByte(e.ScreeningID, 0) >= 0:
			return screening.Errorf(screening.EINVALID, "history entry %d: screening id is required and cannot contain NUL", i)
		case e.Window < 0:
			return screening.Errorf(screening.EINVALID, "history entry %d: negative window", i)
		}
	}
	return nil
}

// historyGroup is the entries of one call that share a kind and key: one
// script runs for them.
type historyGroup struct {
	kind, key string
	idx       []int // positions in the call
}

func groupHistory(entries []screening.HistoryEntry) []*historyGroup {
	var groups []*historyGroup
	byKey := map[[2]string]*historyGroup{}
	for i, e := range entries {
		k := [2]string{e.Kind, e.Key}
		g := byKey[k]
		if g == nil {
			g = &historyGroup{kind: e.Kind, key: e.Key}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	return groups
}

// RecordHistory appends the entries and reads, after each, the entries of
// other screenings on its kind and key within its window. One script per
// kind and key does both atomically (the scripts of one call go in one
// pipeline), so of two screenings racing on a key the later sees the earlier.
// The counterparty index is updated right after, in the same pipeline.
func (s *Store) RecordHistory(ctx context.Context, entries []screening.HistoryEntry, limit int) ([][]screening.HistoryEntry, error) {
	const op = "record history"
	if err := s.open(op); err != nil {
		return nil, err
	}
	if err := validHistory(entries); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return [][]screening.HistoryEntry{}, nil
	}
	if limit <= 0 || limit > maxHistory {
		limit = maxHistory
	}
	members := make([]string, len(entries))
	for i := range entries {
		members[i] = historyMember(&entries[i])
	}
	groups := groupHistory(entries)
	calls := make([]scriptCall, len(groups))
	for gi, g := range groups {
		args := []any{limit}
		for _, i := range g.idx {
			e := &entries[i]
			lo, hi := "-", "+"
			if e.Window > 0 {
				lo = "[" + timeKey(e.At.Add(-e.Window))
				hi = "(" + timeKey(e.At.Add(e.Window).Add(time.Nanosecond))
			}
			skip := ""
			if e.OthersOnly {
				skip = "=" + e.NameKey
			}
			args = append(args, members[i], lo, hi, e.ScreeningID+"\x00", skip)
		}
		calls[gi] = scriptCall{recordHistoryScript, []string{s.historyKey(g.kind, g.key)}, args}
	}
	// The counterparty index has a slot of its own, so its script cannot join
	// the history scripts; it rides in their pipeline instead. With appendfsync
	// always each round trip waits for an fsync turn, and a screening makes few.
	var seen []any
	for i, e := range entries {
		if e.Kind == screening.HistoryCounterparty {
			seen = append(seen, e.Key, score(e.At), members[i])
		}
	}
	if len(seen) > 0 {
		calls = append(calls, scriptCall{noteSeenScript, []string{s.seenKey("at"), s.seenKey("entry")}, seen})
	}
	replies, err := s.runScripts(ctx, calls)
	if err != nil {
		err = s.fail(op, err)
		if screening.ErrorCode(err) != screening.EUNAVAILABLE {
			// Redis answered, but some script failed and others may have
			// run: take back what they recorded, as the embedded store does,
			// so that a screening that never was leaves no history and no
			// counterparty to re-screen. (When Redis is out of reach, trying
			// would only delay the 503.)
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = s.ForgetHistory(cctx, entries)
		}
		return nil, err
	}
	out := make([][]screening.HistoryEntry, len(entries))
	for gi, g := range groups {
		lists, ok := replies[gi].([]any)
		if !ok || len(lists) != len(g.idx) {
			return nil, fmt.Errorf("redisstore: %s: unexpected reply %v", op, replies[gi])
		}
		for j, i := range g.idx {
			ms, _ := lists[j].([]any)
			found := make([]screening.HistoryEntry, 0, len(ms))
			for _, m := range ms {
				str, _ := m.(string)
				h, err := parseMember(g.kind, g.key, str)
				if err != nil {
					return nil, fmt.Errorf("redisstore: %s: %w", op, err)
				}
				found = append(found, h)
			}
			out[i] = found
		}
	}
	return out, nil
}

// ForgetHistory removes what the entries recorded: every entry of the same
// screening on the same kind and key at the same time.
func (s *Store) ForgetHistory(ctx context.Context, entries []screening.HistoryEntry) error {
	const op = "forget history"
	if err := s.open(op); err != nil {
		return err
	}
	if err := validHistory(entries); err != nil || len(entries) == 0 {
		return err
	}
	groups := groupHistory(entries)
	calls := make([]scriptCall, len(groups))
	for gi, g := range groups {
		var args []any
		for _, i := range g.idx {
			args = append(args, timeKey(entries[i].At)+entries[i].ScreeningID+"\x00")
		}
		calls[gi] = scriptCall{forgetHistoryScript, []string{s.historyKey(g.kind, g.key)}, args}
	}
	replies, err := s.runScripts(ctx, calls)
	if err != nil {
		return s.fail(op, err)
	}
	var reseen []any
	for gi, g := range groups {
		if g.kind != screening.HistoryCounterparty {
			continue
		}
		newest, _ := replies[gi].(string)
		sc := 0.0
		if newest != "" {
			at, err := parseTimeKey(newest)
			if err != nil {
				return fmt.Errorf("redisstore: %s: %w", op, err)
			}
			sc = score(at)
		}
		for _, i := range g.idx {
			reseen = append(reseen, g.key, timeKey(entries[i].At)+entries[i].ScreeningID+"\x00", newest, sc)
		}
	}
	if len(reseen) > 0 {
		if err := reseenScript.Run(ctx, s.c, []string{s.seenKey("at"), s.seenKey("entry")}, reseen...).Err(); err != nil {
			return s.fail(op, err)
		}
	}
	return nil
}

// SeenCounterparties calls fn with the newest entry of every counterparty
// whose newest entry is at or after since, oldest first, a page at a time.
func (s *Store) SeenCounterparties(ctx context.Context, since time.Time, fn func(screening.HistoryEntry) error) error {
	const op = "seen counterparties"
	if err := s.open(op); err != nil {
		return err
	}
	lo := "-inf"
	if !since.IsZero() {
		// Scores are whole microseconds: start at the one holding since and
		// drop the few nanoseconds before it below.
		lo = strconv.FormatInt(since.UnixMicro(), 10)
	}
	// Pages follow the score, not an offset: fn may re-screen and so move a
	// counterparty to a later score, which would shift every offset after it.
	// Members at the last score already reported are skipped on the next page.
	var lastScore float64
	atLast := map[string]bool{}
	for {
		want := int64(seenPage + len(atLast))
		zs, err := s.c.ZRangeByScoreWithScores(ctx, s.seenKey("at"), &redis.ZRangeBy{Min: lo, Max: "+inf", Count: want}).Result()
		if err != nil {
			return s.fail(op, err)
		}
		var keys []string
		var scores []float64
		for _, z := range zs {
			k, _ := z.Member.(string)
			if z.Score == lastScore && atLast[k] {
				continue
			}
			keys, scores = append(keys, k), append(scores, z.Score)
		}
		if len(keys) > 0 {
			vals, err := s.c.HMGet(ctx, s.seenKey("entry"), keys...).Result()
			if err != nil {
				return s.fail(op, err)
			}
			for i, v := range vals {
				if scores[i] != lastScore {
					lastScore, atLast = scores[i], map[string]bool{}
				}
				atLast[keys[i]] = true
				m, ok := v.(string)
				if !ok {
					continue // forgotten between the two reads
				}
				e, err := parseMember(screening.HistoryCounterparty, keys[i], m)
				if err != nil {
					return fmt.Errorf("redisstore: %s: %w", op, err)
				}
				if e.At.Before(since) {
					continue
				}
				if err := fn(e); err != nil {
					return err
				}
			}
		}
		if int64(len(zs)) < want {
			return nil
		}
		lo = strconv.FormatFloat(lastScore, 'f', -1, 64)
	}
}

// scriptCall is one script run of a pipeline.
type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
}

// runScripts runs calls in one pipeline by hash (EVALSHA). Scripts the
// server does not know yet (NOSCRIPT, after a restart or on a new node) are
// loaded and only those calls are run again: the others already ran.
func (s *Store) runScripts(ctx context.Context, calls []scriptCall) ([]any, error) {
	replies := make([]any, len(calls))
	pending := make([]int, len(calls))
	for i := range calls {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 2 {
			return nil, fmt.Errorf("scripts still unknown to the server after loading them")
		}
		cmds := make([]*redis.Cmd, len(pending))
		_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j, i := range pending {
				cmds[j] = calls[i].script.EvalSha(ctx, p, calls[i].keys, calls[i].args...)
			}
			return nil
		})
		var retry []int
		for j, i := range pending {
			v, cerr := cmds[j].Result()
			switch {
			case cerr == nil:
				replies[i] = v
			case noScript(cerr):
				if lerr := calls[i].script.Load(ctx, s.c).Err(); lerr != nil {
					return nil, lerr
				}
				retry = append(retry, i)
			default:
				return nil, cerr
			}
		}
		if err != nil && len(retry) == 0 {
			return nil, err
		}
		pending = retry
	}
	return replies, nil
}

// noScript reports the server's answer to EVALSHA for a script it does not
// hold (after a restart, a failover or SCRIPT FLUSH).
func noScript(err error) bool {
	return errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")
}

// pruneSeenScript forgets, atomically in the {seen} slot, up to ARGV[2]
// counterparties whose newest entry is older than ARGV[1] (microseconds).
var pruneSeenScript = redis.NewScript(`
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ks > 0 then
  redis.call('ZREM', KEYS[1], unpack(ks))
  redis.call('HDEL', KEYS[2], unpack(ks))
end
return #ks`)

// pruneBatch bounds the work of one command, so that Redis (single-threaded)
// keeps answering screenings while a prune runs.
const pruneBatch = 1000

// PruneHistory removes history entries received before cutoff, and the
// "last seen" records of counterparties whose newest entry is older. It walks
// the history sets with SCAN, so it suits a daily job, not a request.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int, error) {
	const op = "prune history"
	if err := s.open(op); err != nil {
		return 0, err
	}
	// The "last seen" records first: one pointing at a pruned entry would make
	// SeenCounterparties fail.
	micros := strconv.FormatInt(before.UnixMicro(), 10)
	for {
		n, err := pruneSeenScript.Run(ctx, s.c, []string{s.seenKey("at"), s.seenKey("entry")}, micros, pruneBatch).Int()
		if err != nil {
			return 0, s.fail(op, err)
		}
		if n < pruneBatch {
			break
		}
	}
	// Members start with their time key, so one ZREMRANGEBYLEX per set drops
	// every member before the cut; Redis deletes a set left empty.
	upTo := "(" + timeKey(before)
	removed := 0
	iter := s.c.Scan(ctx, 0, globEscape(s.prefix)+"{h:*", pruneBatch).Iterator()
	for iter.Next(ctx) {
		n, err := s.c.ZRemRangeByLex(ctx, iter.Val(), "-", upTo).Result()
		if err != nil {
			return removed, s.fail(op, err)
		}
		removed += int(n)
	}
	if err := iter.Err(); err != nil {
		return removed, s.fail(op, err)
	}
	return removed, nil
}

// globEscape quotes the characters SCAN MATCH treats as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
