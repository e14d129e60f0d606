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

// indexedKind says whether the sets of a kind keep a company index
// (historyLib): contact values, the kind whose look-ups leave out the asking
// company. Every write to such a set goes by script, which keeps the index.
func indexedKind(kind string) bool { return kind == screening.HistoryContact }

// flag is a script argument the scripts compare with '1'.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// othersOnly says whether an entry of the group leaves out its own company.
func (g *historyGroup) othersOnly(entries []screening.HistoryEntry) bool {
	for _, i := range g.idx {
		if entries[i].OthersOnly {
			return true
		}
	}
	return false
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
// other screenings on its kind and key within its window. Both happen
// atomically per kind and key, so of two screenings racing on a key the
// later sees the earlier. Everything of one call goes in one pipeline, the
// counterparty index's update too, shared with the calls of concurrent
// screenings (scriptbatch.go).
//
// A kind and key is one MULTI/EXEC of ZADD and ZREVRANGEBYLEX per entry,
// and the screening's own entries are left out here; or, for contact values
// (whose look-ups leave out the asking company: OthersOnly), one script that
// keeps the set's company index and reads from it (historyLib). Before the
// index that script read past every entry of a regular customer on its own
// phone number within the window, up to thousands: about 95 us a run, a
// third of Redis's time at 1,000 screenings/s.
//
// Why not the script for every key (as before): it ran 5 to 6 times per
// screening and was 60 % of Redis's CPU at 1,000 screenings/s, about 70 us a
// run, most of it Lua copying each of up to history_limit members into a
// table and back out. The transaction sends the same members straight from
// the sorted set. Alone, the cheaper look-ups made the latency at 1,000/s
// worse with appendfsync always (a Redis that finished its turns sooner took
// more of them, each ending in an fsync); sent in shared pipelines, they cost
// Redis 7-25 % less CPU per screening and p99 was lower in 8 of 9 pairs.
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
	bounds := make([][2]string, len(entries)) // ZREVRANGEBYLEX max, min
	for i := range entries {
		e := &entries[i]
		members[i] = historyMember(e)
		bounds[i] = [2]string{"+", "-"}
		if e.Window > 0 {
			bounds[i] = [2]string{"(" + timeKey(e.At.Add(e.Window).Add(time.Nanosecond)), "[" + timeKey(e.At.Add(-e.Window))}
		}
	}
	var txs []*historyTx
	var calls []scriptCall
	scripted := map[*historyGroup]int{} // a group read by script -> its call
	for _, g := range groupHistory(entries) {
		indexed := indexedKind(g.kind)
		if !indexed && !g.othersOnly(entries) {
			txs = append(txs, &historyTx{group: g, key: s.historyKey(g.kind, g.key), page: limit + len(g.idx)})
			continue
		}
		args := []any{limit, flag(indexed)}
		for _, i := range g.idx {
			e := &entries[i]
			skip := ""
			if e.OthersOnly {
				skip = "=" + e.NameKey
			}
			args = append(args, members[i], bounds[i][1], bounds[i][0], e.ScreeningID+"\x00", skip)
		}
		scripted[g] = len(calls)
		calls = append(calls, scriptCall{recordHistoryScript, s.historyKeys(g.kind, g.key), args})
	}
	// The counterparty index has a slot of its own, so it cannot join a
	// history key's transaction or script; it rides in their pipeline
	// instead. With appendfsync always each round trip waits for an fsync
	// turn, and a screening makes few.
	var seen []any
	for i, e := range entries {
		if e.Kind == screening.HistoryCounterparty {
			seen = append(seen, e.Key, score(e.At), members[i])
		}
	}
	if len(seen) > 0 {
		calls = append(calls, scriptCall{noteSeenScript, []string{s.seenKey("at"), s.seenKey("entry")}, seen})
	}
	replies, err := s.runScripts(ctx, calls, func(p redis.Pipeliner) {
		for _, tx := range txs {
			tx.queue(ctx, p, members, bounds)
		}
	})
	if err == nil {
		for _, tx := range txs {
			if err = tx.check(); err != nil {
				break
			}
		}
	}
	if err != nil {
		err = s.fail(op, err)
		if screening.ErrorCode(err) != screening.EUNAVAILABLE {
			// Redis answered, but some part failed and others may have
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
	for g, ci := range scripted {
		lists, ok := replies[ci].([]any)
		if !ok || len(lists) != len(g.idx) {
			return nil, fmt.Errorf("redisstore: %s: unexpected reply %v", op, replies[ci])
		}
		for j, i := range g.idx {
			ms, _ := lists[j].([]any)
			if out[i], _, err = keepMembers(nil, g.kind, g.key, ms, len(ms), ""); err != nil {
				return nil, fmt.Errorf("redisstore: %s: %w", op, err)
			}
		}
	}
	for _, tx := range txs {
		if err := tx.read(ctx, s.c, entries, bounds, limit, out); err != nil {
			return nil, s.fail(op, err)
		}
	}
	return out, nil
}

// historyTx is the transaction of one kind and key: for each entry, ZADD it
// and read the first page of its window, newest first.
type historyTx struct {
	group *historyGroup
	key   string
	page  int // members per page
	exec  *redis.Cmd
}

func (tx *historyTx) queue(ctx context.Context, p redis.Pipeliner, members []string, bounds [][2]string) {
	p.Do(ctx, "multi")
	for _, i := range tx.group.idx {
		p.Do(ctx, "zadd", tx.key, 0, members[i])
		p.Do(ctx, "zrevrangebylex", tx.key, bounds[i][0], bounds[i][1], "limit", 0, tx.page)
	}
	tx.exec = p.Do(ctx, "exec")
}

// check returns the transaction's error, or the first error of a command
// in it: EXEC runs every queued command even when one fails (a key of the
// wrong type), so the ZADDs before it did happen.
func (tx *historyTx) check() error {
	if err := tx.exec.Err(); err != nil {
		return err
	}
	replies, ok := tx.exec.Val().([]any)
	if !ok || len(replies) != 2*len(tx.group.idx) {
		return fmt.Errorf("unexpected reply %v to a transaction of %d entries", tx.exec.Val(), len(tx.group.idx))
	}
	for _, r := range replies {
		if err, isErr := r.(error); isErr {
			return err
		}
	}
	return nil
}

// maxHistoryPage bounds the pages read after the transaction; they double
// from the first page's size.
const maxHistoryPage = 4096

// read fills out from the transaction's reply (check passed). A page holds
// limit members plus as many as the call added to the key, so leaving out
// the screening's own still leaves limit. Only a screening that recorded on
// the key in earlier calls too (which the engine does not do) can find its
// page short; the next pages, each below the last member read, are read
// after the transaction then.
func (tx *historyTx) read(ctx context.Context, c redis.UniversalClient, entries []screening.HistoryEntry, bounds [][2]string, limit int, out [][]screening.HistoryEntry) error {
	g := tx.group
	replies := tx.exec.Val().([]any)
	for j, i := range g.idx {
		page, ok := replies[2*j+1].([]any)
		if !ok {
			return fmt.Errorf("redisstore: record history: unexpected reply %v", replies[2*j+1])
		}
		own := entries[i].ScreeningID + "\x00"
		found := make([]screening.HistoryEntry, 0, min(len(page), limit))
		size := tx.page
		for {
			var last string
			var err error
			if found, last, err = keepMembers(found, g.kind, g.key, page, limit, own); err != nil {
				return fmt.Errorf("redisstore: record history: %w", err)
			}
			if len(found) >= limit || len(page) < size {
				break
			}
			size = min(2*size, maxHistoryPage)
			if page, err = c.Do(ctx, "zrevrangebylex", tx.key, "("+last, bounds[i][1], "limit", 0, size).Slice(); err != nil {
				return err
			}
		}
		out[i] = found
	}
	return nil
}

// keepMembers appends to found the members of page that are not the asking
// screening's (own is its id and NUL; "": keep all), up to limit in all, and
// returns the last member of page (where a next page starts).
func keepMembers(found []screening.HistoryEntry, kind, key string, page []any, limit int, own string) ([]screening.HistoryEntry, string, error) {
	var last string
	for _, m := range page {
		str, ok := m.(string)
		if !ok {
			return nil, "", fmt.Errorf("history member of %s %q: unexpected %T", kind, key, m)
		}
		last = str
		if len(found) >= limit || (own != "" && len(str) >= timeKeyLen && strings.HasPrefix(str[timeKeyLen:], own)) {
			continue
		}
		h, err := parseMember(kind, key, str)
		if err != nil {
			return nil, "", err
		}
		found = append(found, h)
	}
	return found, last, nil
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
		args := []any{flag(indexedKind(g.kind))}
		for _, i := range g.idx {
			args = append(args, timeKey(entries[i].At)+entries[i].ScreeningID+"\x00")
		}
		calls[gi] = scriptCall{forgetHistoryScript, s.historyKeys(g.kind, g.key), args}
	}
	replies, err := s.runScripts(ctx, calls, nil)
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
	indexed := s.prefix + "{h:" + screening.HistoryContact + ":"
	iter := s.c.Scan(ctx, 0, globEscape(s.prefix)+"{h:*", pruneBatch).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		var n int64
		var err error
		switch {
		case !strings.HasSuffix(key, "}"):
			continue // a company index: pruned with its set
		case strings.HasPrefix(key, indexed):
			n, err = pruneIndexedScript.Run(ctx, s.c, withIndex(key), upTo).Int64()
		default:
			n, err = s.c.ZRemRangeByLex(ctx, key, "-", upTo).Result()
		}
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
