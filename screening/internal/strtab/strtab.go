// Package strtab keeps a list of strings back to back in one string. However
// many strings it holds, the garbage collector sees one object with nothing
// inside to scan; the list entries and the name index of a loaded list set
// are kept this way (screening/entrypack.go, screening/names/compact.go).
package strtab

import (
	"errors"
	"math"
	"slices"
	"unsafe"
)

// ErrTooLarge is returned when a table would outgrow its 32-bit offsets.
var ErrTooLarge = errors.New("strtab: more than 4 GiB of strings")

// Table is an immutable list of strings.
type Table struct {
	data string
	ends []uint32 // string i is data[ends[i-1]:ends[i]] (from 0 for i = 0)
}

// At returns string i, a substring of the table (no copy).
func (t *Table) At(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.data[start:t.ends[i]]
}

// Bytes is the size of strings [lo, hi) together.
func (t *Table) Bytes(lo, hi int) int {
	if hi <= lo {
		return 0
	}
	start := uint32(0)
	if lo > 0 {
		start = t.ends[lo-1]
	}
	return int(t.ends[hi-1] - start)
}

// Len is the number of strings.
func (t *Table) Len() int { return len(t.ends) }

// Builder collects the strings of a Table.
type Builder struct {
	buf  []byte
	ends []uint32
}

// Grow makes room for n more strings of size bytes in all, so that a table
// whose size is known, or nearly, is not copied as it grows.
func (b *Builder) Grow(n, size int) {
	b.buf = slices.Grow(b.buf, size)
	b.ends = slices.Grow(b.ends, n)
}

// Append adds one string that fill writes onto the end of the table's bytes;
// fill appends and returns the slice, as the append functions of the
// standard library do.
func (b *Builder) Append(fill func([]byte) []byte) error {
	if cap(b.buf)-len(b.buf) < minRoom {
		// append grows a large slice by a quarter at a time: a table of
		// 600 MB was copied about five times over while it was built
		// (8 s of the 37 s that a list reload with 1,000,000 entries
		// took). Doubling copies it at most twice.
		b.buf = slices.Grow(b.buf, max(len(b.buf), minRoom))
	}
	b.buf = fill(b.buf)
	if len(b.buf) > math.MaxUint32 {
		return ErrTooLarge
	}
	b.ends = append(b.ends, uint32(len(b.buf)))
	return nil
}

// minRoom is the space Append keeps ahead of a string: more than almost any
// one string takes, so that fill seldom grows the slice itself.
const minRoom = 4 << 10

// Add adds s.
func (b *Builder) Add(s string) error {
	return b.Append(func(p []byte) []byte { return append(p, s...) })
}

// Build returns the table of the strings added so far, and ends the
// builder: it must not be used after.
//
// The bytes become the table's string without a copy when they fill most of
// their array, as they do when Grow was given the size; otherwise they are
// copied a megabyte at a time. string(buf) of a 600 MB table was one memmove
// of half a second, and a goroutine in a memmove cannot be stopped: a
// collection that began meanwhile held every other goroutine of the service
// until it ended (a list reload under load stalled screenings for 400 ms).
func (b *Builder) Build() Table {
	buf := b.buf
	if cap(buf)-len(buf) > len(buf)/8 {
		buf = make([]byte, len(b.buf))
		for off := 0; off < len(buf); off += copyChunk {
			copy(buf[off:], b.buf[off:min(len(buf), off+copyChunk)])
		}
	}
	b.buf = nil
	t := Table{ends: b.ends}
	if len(buf) > 0 {
		// The builder lets go of buf, so nothing can change the string.
		t.data = unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	return t
}

const copyChunk = 1 << 20
