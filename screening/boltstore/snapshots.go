package boltstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// chunkBytes bounds the uncompressed JSON of one stored chunk of entries, so
// that no single value grows with the size of a list.
const chunkBytes = 4 << 20

// snapMeta is what the snapshot bucket keeps per source: the snapshot without
// its entries, and where the entries are.
type snapMeta struct {
	screening.ListSnapshot
	DataID uint64 `json:"data_id"`
	Chunks int    `json:"chunks"`
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

func chunkKey(source string, dataID uint64, i int) []byte {
	return binary.BigEndian.AppendUint32(cat(lp(source), u64(dataID)), uint32(i))
}

// SaveSnapshot writes the entries, switches the source's current snapshot to
// them and drops the previous entries, with the audit record, in one
// transaction: until it commits the previous snapshot is in force.
func (s *Store) SaveSnapshot(ctx context.Context, snap *screening.ListSnapshot, audit screening.AuditRecord) error {
	if snap == nil || snap.Source == "" {
		return screening.Errorf(screening.EINVALID, "a snapshot needs a source")
	}
	chunks, err := encodeChunks(snap.Entries)
	if err != nil {
		return fmt.Errorf("boltstore: save snapshot %s: %w", snap.Source, err)
	}
	meta := snapMeta{ListSnapshot: *snap, Chunks: len(chunks)}
	meta.Entries = nil
	err = s.update(ctx, "save snapshot "+snap.Source, func(tx *bolt.Tx) error {
		sb, cb := tx.Bucket(bSnapshot), tx.Bucket(bSnapChunk)
		var old snapMeta
		hadOld, err := getJSON(sb, []byte(snap.Source), &old)
		if err != nil {
			return err
		}
		if meta.DataID, err = cb.NextSequence(); err != nil {
			return err
		}
		for i, c := range chunks {
			if err := cb.Put(chunkKey(snap.Source, meta.DataID, i), c); err != nil {
				return err
			}
		}
		if err := putJSON(sb, []byte(snap.Source), &meta); err != nil {
			return err
		}
		if hadOld {
			for i := range old.Chunks {
				if err := cb.Delete(chunkKey(snap.Source, old.DataID, i)); err != nil {
					return err
				}
			}
		}
		_, err = s.appendAudit(tx, audit)
		return err
	})
	if err == nil {
		s.watch.publish(snap.Source)
	}
	return err
}

// Snapshot returns the current snapshot of a source with its entries.
func (s *Store) Snapshot(ctx context.Context, source string) (*screening.ListSnapshot, error) {
	var meta snapMeta
	var chunks [][]byte
	err := s.viewNow(ctx, "get snapshot "+source, func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bSnapshot), []byte(source), &meta)
		if err != nil {
			return err
		}
		if !found {
			return screening.Errorf(screening.ENOTFOUND, "no snapshot of %s", source)
		}
		cb := tx.Bucket(bSnapChunk)
		for i := range meta.Chunks {
			c := cb.Get(chunkKey(source, meta.DataID, i))
			if c == nil {
				return fmt.Errorf("snapshot %s lacks chunk %d", source, i)
			}
			chunks = append(chunks, bytes.Clone(c)) // decoded after the transaction ends
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := meta.ListSnapshot
	if meta.Count > 0 {
		out.Entries = make([]screening.Entry, 0, meta.Count)
	}
	for i, c := range chunks {
		// Decoding a million entries takes seconds; a shutdown need not wait.
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("boltstore: snapshot %s: %w", source, err)
		}
		if out.Entries, err = decodeChunk(c, out.Entries); err != nil {
			return nil, fmt.Errorf("boltstore: snapshot %s chunk %d: %w", source, i, err)
		}
	}
	return &out, nil
}

// Snapshots returns the current snapshot of every source, by source, without
// entries.
func (s *Store) Snapshots(ctx context.Context) ([]screening.ListSnapshot, error) {
	var out []screening.ListSnapshot
	err := s.viewNow(ctx, "list snapshots", func(tx *bolt.Tx) error {
		return walkAsc(tx.Bucket(bSnapshot), nil, nil, func(_, v []byte) (bool, error) {
			var meta snapMeta
			if err := json.Unmarshal(v, &meta); err != nil {
				return false, fmt.Errorf("decode snapshot: %w", err)
			}
			out = append(out, meta.ListSnapshot)
			return true, nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, err
}
