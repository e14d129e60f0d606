// Package strtab keeps a list of strings back to back in one string. However
// many strings it holds, the garbage collector sees one object with nothing
// inside to scan; the list entries and the name index of a loaded list set
// are kept this way (screening/entrypack.go, screening/names/compact.go).
package strtab

import (
	"errors"
	"math"
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

// Len is the number of strings.
func (t *Table) Len() int { return len(t.ends) }

// Builder collects the strings of a Table.
type Builder struct {
	buf  []byte
	ends []uint32
}

// Append adds one string that fill writes onto the end of the table's bytes;
// fill appends and returns the slice, as the append functions of the
// standard library do.
func (b *Builder) Append(fill func([]byte) []byte) error {
	b.buf = fill(b.buf)
	if len(b.buf) > math.MaxUint32 {
		return ErrTooLarge
	}
	b.ends = append(b.ends, uint32(len(b.buf)))
	return nil
}

// Add adds s.
func (b *Builder) Add(s string) error {
	return b.Append(func(p []byte) []byte { return append(p, s...) })
}

// Build returns the table of the strings added so far.
func (b *Builder) Build() Table { return Table{data: string(b.buf), ends: b.ends} }
