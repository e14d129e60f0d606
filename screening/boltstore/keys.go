package boltstore

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Index keys are built so that bbolt's byte order is the order callers ask
// for: a fixed-width time first, then the id. Variable-length parts that come
// before a time (a key id, a customer key) carry a length prefix, so that one
// prefix never runs into another ("ab"+time vs "a"+"b..."+time).

// timeLen is the width of an encoded time.
const timeLen = 12

// timeKey encodes t as 8 bytes of seconds (sign bit flipped, so that times
// before 1970 still sort first) and 4 bytes of nanoseconds, big-endian: byte
// order equals time order for every time.Time.
func timeKey(t time.Time) []byte {
	var b [timeLen]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	return b[:]
}

// lp returns s with its length in front (uvarint).
func lp(s string) []byte { return appendLP(make([]byte, 0, len(s)+2), s) }

// appendLP appends s with its length in front (uvarint).
func appendLP(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// cutLP reads one length-prefixed field from the front of b (the reverse of
// appendLP); ok is false when b is too short for it.
func cutLP(b []byte) (field, rest []byte, ok bool) {
	n, size := binary.Uvarint(b)
	if size <= 0 || uint64(len(b)-size) < n {
		return nil, b, false
	}
	return b[size : size+int(n)], b[size+int(n):], true
}

// cat joins byte slices into a new slice (never aliasing its arguments, which
// matters when a prefix is reused for several keys).
func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// successor returns the smallest key greater than every key starting with
// prefix, or nil when there is none (empty or all-0xff prefix).
func successor(prefix []byte) []byte {
	out := bytes.Clone(prefix)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] < 0xff {
			out[i]++
			return out[:i+1]
		}
	}
	return nil
}

// encodeCursor turns the position of the last item of a page (time and id, as
// in the index) into the opaque cursor callers pass back.
func encodeCursor(pos []byte) string { return base64.RawURLEncoding.EncodeToString(pos) }

func decodeCursor(c string) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) <= timeLen {
		return nil, screening.Errorf(screening.EINVALID, "cursor %q is not one this store returned", c)
	}
	return b, nil
}

// pageSize applies the documented cap to a requested page size.
func pageSize(limit int) int {
	if limit <= 0 || limit > maxPage {
		return maxPage
	}
	return limit
}

// maxPage caps every list call ("backends cap it at 500").
const maxPage = 500
