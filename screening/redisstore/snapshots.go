package redisstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

const (
	// chunkBytes bounds the uncompressed JSON of one chunk of entries, so
	// that compressed values stay well under a few MB whatever the list size.
	chunkBytes = 4 << 20
	// pendingTTL is how long written chunks wait for the switch that makes
	// them current; an import that dies half-way leaves them to expire.
	pendingTTL = time.Hour
	// oldChunkGrace is how long a replaced snapshot's chunks stay for
	// readers that read the old pointer just before the switch.
	oldChunkGrace = 10 * time.Minute
)

// snapMeta is what the current-snapshot hash keeps per source: the snapshot
// without its entries, and the keys of the chunks holding them.
type snapMeta struct {
	screening.ListSnapshot
	DataID int64 `json:"data_id"`
	Chunks int   `json:"chunks"`
}

func (s *Store) chunkKeys(m *snapMeta) []string {
	keys := make([]string, m.Chunks)
	for i := range keys {
		keys[i] = s.k("snapchunk", strconv.FormatInt(m.DataID, 10), strconv.Itoa(i))
	}
	return keys
}

// encodeChunks turns entries into gzip-compressed JSON arrays of at most
// about chunkBytes each.
func encodeChunks(entries []screening.Entry) ([][]byte, error) {
	var chunks [][]byte
	var raw bytes.Buffer
	flush := func() error {
		if raw.Len() == 0 {
			return nil
		}
		raw.WriteByte(']')
		var z bytes.Buffer
		zw, err := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		if err != nil {
			return err
		}
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		chunks = append(chunks, z.Bytes())
		raw.Reset()
		return nil
	}
	for i := range entries {
		b, err := json.Marshal(&entries[i])
		if err != nil {
			return nil, fmt.Errorf("encode entry %d (%s): %w", i, entries[i].Key(), err)
		}
		if raw.Len() == 0 {
			raw.WriteByte('[')
		} else {
			raw.WriteByte(',')
		}
		raw.Write(b)
		if raw.Len() >= chunkBytes {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return chunks, nil
}

func decodeChunk(chunk []byte, into []screening.Entry) ([]screening.Entry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(chunk))
	if err != nil {
		return into, err
	}
	var part []screening.Entry
	if err := json.NewDecoder(zr).Decode(&part); err != nil {
		return into, err
	}
	if _, err := io.Copy(io.Discard, zr); err != nil { // reads to the end: checks the gzip checksum
		return into, err
	}
	return append(into, part...), nil
}

// SaveSnapshot writes the entries in chunks that expire unless made current,
// then one script switches the source's pointer to them (the old chunks get a
// short expiry), appends the audit record and announces the source. Until
// that script runs the previous snapshot stays in force.
func (s *Store) SaveSnapshot(ctx context.Context, snap *screening.ListSnapshot, audit screening.AuditRecord) error {
	if snap == nil || snap.Source == "" {
		return screening.Errorf(screening.EINVALID, "a snapshot needs a source")
	}
	op := "save snapshot " + snap.Source
	if err := s.open(op); err != nil {
		return err
	}
	chunks, err := encodeChunks(snap.Entries)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	dataID, err := s.c.Incr(ctx, s.k("snapchunk.seq")).Result()
	if err != nil {
		return s.fail(op, err)
	}
	meta := snapMeta{ListSnapshot: *snap, DataID: dataID, Chunks: len(chunks)}
	meta.Entries = nil
	newKeys := s.chunkKeys(&meta)
	// One chunk per round trip: a pipeline of many MB would sit in memory
	// twice and hold the connection for long.
	for i, c := range chunks {
		if err := s.c.Set(ctx, newKeys[i], c, pendingTTL).Err(); err != nil {
			return s.fail(op, err)
		}
	}
	metaJSON, err := json.Marshal(&meta)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	for range maxChainRetries {
		oldJSON, err := s.c.HGet(ctx, s.k("snap"), snap.Source).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return s.fail(op, err)
		}
		var oldKeys []string
		if oldJSON != "" {
			var old snapMeta
			if err := json.Unmarshal([]byte(oldJSON), &old); err != nil {
				return fmt.Errorf("redisstore: %s: decode current snapshot: %w", op, err)
			}
			oldKeys = s.chunkKeys(&old)
		}
		keys := append(append([]string{s.k("snap")}, newKeys...), oldKeys...)
		args := []any{snap.Source, oldJSON, metaJSON, len(newKeys), s.snapshotChannel(), oldChunkGrace.Milliseconds()}
		_, reply, err := s.chained(ctx, op, saveSnapshotScript, keys, args, audit)
		if err != nil {
			return err
		}
		switch status, _ := reply[0].(string); status {
		case "retry": // another import of the source switched meanwhile
			continue
		case "expired":
			return fmt.Errorf("redisstore: %s: the written entries expired before the switch (import took over %v)", op, pendingTTL)
		}
		return replyError(reply)
	}
	return fmt.Errorf("redisstore: %s: the current snapshot kept changing", op)
}

// Snapshot returns the current snapshot of a source with its entries.
func (s *Store) Snapshot(ctx context.Context, source string) (*screening.ListSnapshot, error) {
	op := "get snapshot " + source
	if err := s.open(op); err != nil {
		return nil, err
	}
	// A switch between reading the pointer and the chunks leaves the old
	// chunks for oldChunkGrace, so a retry is needed only after a long stall.
	for range 3 {
		raw, err := s.c.HGet(ctx, s.k("snap"), source).Result()
		if errors.Is(err, redis.Nil) {
			return nil, screening.Errorf(screening.ENOTFOUND, "no snapshot of %s", source)
		}
		if err != nil {
			return nil, s.fail(op, err)
		}
		var meta snapMeta
		if err := json.Unmarshal([]byte(raw), &meta); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode: %w", op, err)
		}
		out := meta.ListSnapshot
		if meta.Count > 0 {
			out.Entries = make([]screening.Entry, 0, meta.Count)
		}
		missing := false
		for i, key := range s.chunkKeys(&meta) {
			chunk, err := s.c.Get(ctx, key).Bytes()
			if errors.Is(err, redis.Nil) {
				missing = true
				break
			}
			if err != nil {
				return nil, s.fail(op, err)
			}
			if out.Entries, err = decodeChunk(chunk, out.Entries); err != nil {
				return nil, fmt.Errorf("redisstore: %s: chunk %d: %w", op, i, err)
			}
		}
		if !missing {
			return &out, nil
		}
	}
	return nil, fmt.Errorf("redisstore: %s: the snapshot's entries vanished while reading", op)
}

// Snapshots returns the current snapshot of every source, by source, without
// entries.
func (s *Store) Snapshots(ctx context.Context) ([]screening.ListSnapshot, error) {
	const op = "list snapshots"
	if err := s.open(op); err != nil {
		return nil, err
	}
	all, err := s.c.HGetAll(ctx, s.k("snap")).Result()
	if err != nil {
		return nil, s.fail(op, err)
	}
	out := make([]screening.ListSnapshot, 0, len(all))
	for source, raw := range all {
		var meta snapMeta
		if err := json.Unmarshal([]byte(raw), &meta); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode %s: %w", op, source, err)
		}
		out = append(out, meta.ListSnapshot)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, nil
}

// WatchSnapshots subscribes to the announcements every replica's SaveSnapshot
// publishes. It returns once the subscription is confirmed, so a save after
// it returns is seen. The channel closes when ctx ends or the store closes.
// Pub/sub delivers at most once: a replica that is disconnected at the moment
// of a save misses it and should also compare versions now and then.
func (s *Store) WatchSnapshots(ctx context.Context) (<-chan string, error) {
	const op = "watch snapshots"
	if err := s.open(op); err != nil {
		return nil, err
	}
	ps := s.c.Subscribe(ctx, s.snapshotChannel())
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, s.fail(op, err)
	}
	s.watchMu.Lock()
	if s.closed.Load() {
		s.watchMu.Unlock()
		_ = ps.Close()
		return nil, s.open(op)
	}
	s.watches[ps] = struct{}{}
	s.watchMu.Unlock()

	out := make(chan string)
	go func() {
		defer close(out)
		defer func() {
			s.watchMu.Lock()
			delete(s.watches, ps)
			s.watchMu.Unlock()
			_ = ps.Close()
		}()
		msgs := ps.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				select {
				case out <- m.Payload:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
