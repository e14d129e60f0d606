package screening

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/hikiai/hikiai/screening/internal/strtab"
	"github.com/hikiai/hikiai/screening/internal/varint"
)

// entryPack keeps list entries encoded, back to back, in one string. A
// []Entry of the 28,000 sample entries is some 600,000 heap objects (every
// name, address and attribute its own string, slice or map), and the GC
// marks all of them in every cycle, about once a second under load: that
// mark was the widest cause of the latency tail. The pack is two objects
// with no pointers inside. An entry is decoded when it is asked for (a hit,
// a look-up by key); its strings are substrings of the pack, so decoding
// copies no text.
type entryPack struct {
	entries strtab.Table
	seed    maphash.Seed     // for byKey
	byKey   map[uint64]int32 // hash of Key() → index; no pointers for the GC to follow
	dups    map[string]int32 // keys whose hash another key took first (almost always empty)
}

// packEntries encodes the entries of every part, in order. It fails only
// when the encoding outgrows the table's 32-bit offsets.
func packEntries(parts ...[]Entry) (entryPack, error) {
	lps := make([]listPart, len(parts))
	for i, es := range parts {
		lps[i].snap.Entries = es
	}
	return packParts(lps, nil)
}

// packParts encodes the entries of every part, in order; a part taken from a
// loaded set is copied as that set encoded it. pace, when set, is called
// every paceEvery entries, and an error from it stops the packing.
func packParts(parts []listPart, pace func() error) (entryPack, error) {
	n, size := 0, 0
	for _, lp := range parts {
		n += lp.len()
		if lp.from != nil {
			size += lp.from.entries.entries.Bytes(lp.lo, lp.hi)
		} else {
			size += len(lp.snap.Entries) * typicalEntrySize
		}
	}
	p := entryPack{seed: maphash.MakeSeed(), byKey: make(map[uint64]int32, n)}
	var b strtab.Builder
	b.Grow(n, size)
	var collided []int32 // entries whose key hash an earlier entry took
	i := 0
	step := func() error {
		if pace == nil || i%paceEvery != 0 {
			return nil
		}
		return pace()
	}
	add := func(key string) {
		h := maphash.String(p.seed, key)
		if _, taken := p.byKey[h]; taken {
			collided = append(collided, int32(i))
		} else {
			p.byKey[h] = int32(i)
		}
		i++
	}
	for _, lp := range parts {
		if lp.from != nil {
			for j := lp.lo; j < lp.hi; j++ {
				if err := step(); err != nil {
					return entryPack{}, err
				}
				raw := lp.from.entries.raw(j)
				if err := b.Add(raw); err != nil {
					return entryPack{}, fmt.Errorf("entry %d (%s): %w", i, lp.from.entries.keyAt(j), err)
				}
				add(lp.from.entries.keyAt(j))
			}
			continue
		}
		es := lp.snap.Entries
		for j := range es {
			if err := step(); err != nil {
				return entryPack{}, err
			}
			e := &es[j]
			if err := b.Append(func(buf []byte) []byte { return appendEntry(buf, e) }); err != nil {
				return entryPack{}, fmt.Errorf("entry %d (%s): %w", i, e.Key(), err)
			}
			add(e.Key())
		}
	}
	p.entries = b.Build()
	for _, c := range collided {
		key := p.keyAt(int(c))
		if p.keyAt(int(p.byKey[maphash.String(p.seed, key)])) == key {
			continue // a repeated key finds its first entry
		}
		if p.dups == nil {
			p.dups = make(map[string]int32)
		}
		if _, seen := p.dups[key]; !seen {
			p.dups[key] = c
		}
	}
	return p, nil
}

// typicalEntrySize is about what an entry of the real lists takes encoded,
// to size the pack of entries read afresh.
const typicalEntrySize = 256

// paceEvery is how many entries a paced build handles between calls of its
// pace function.
const paceEvery = 256

func (p *entryPack) len() int { return p.entries.Len() }

func (p *entryPack) raw(i int) string { return p.entries.At(i) }

// at decodes entry i. The pack was written by packEntries, so a decoding
// error is a bug; it panics rather than hand out a half entry.
func (p *entryPack) at(i int) Entry {
	e, err := decodeEntry(p.raw(i))
	if err != nil {
		panic(fmt.Sprintf("screening: entry %d of the pack: %v", i, err))
	}
	return e
}

// index returns the position of the entry with this key.
func (p *entryPack) index(key string) (int, bool) {
	if i, ok := p.byKey[maphash.String(p.seed, key)]; ok && p.keyAt(int(i)) == key {
		return int(i), true
	}
	i, ok := p.dups[key]
	return int(i), ok
}

// keyAt is Key() of entry i, reading only its first two fields.
func (p *entryPack) keyAt(i int) string {
	r := entryReader{s: p.raw(i)}
	source, id := r.str(), r.str()
	if r.err != nil {
		panic(fmt.Sprintf("screening: entry %d of the pack: %v", i, r.err))
	}
	return source + ":" + id
}

// appendEntry encodes e: strings and counts as uvarint lengths, fields in
// the order of the struct, attributes sorted by key.
func appendEntry(b []byte, e *Entry) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	n := func(v int) { b = binary.AppendUvarint(b, uint64(v)) }
	str(e.Source)
	str(e.SourceID)
	str(string(e.Kind))
	n(len(e.Names))
	for _, nm := range e.Names {
		str(nm.Value)
		str(string(nm.Strength))
		str(nm.Script)
		n(fromIndex(e.Names, nm.From))
	}
	n(len(e.Countries))
	for _, c := range e.Countries {
		str(c)
	}
	n(len(e.Addresses))
	for _, a := range e.Addresses {
		str(a.Street)
		str(a.City)
		str(a.Region)
		str(a.Postal)
		str(a.Country)
		str(a.Full)
	}
	n(len(e.Identifiers))
	for _, id := range e.Identifiers {
		str(id.Type)
		str(id.Value)
		str(id.Country)
	}
	n(len(e.Programs))
	for _, p := range e.Programs {
		str(p)
	}
	str(e.ListedOn)
	str(e.SourceURL)
	str(e.Remarks)
	keys := make([]string, 0, len(e.Attributes))
	for k := range e.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n(len(keys))
	for _, k := range keys {
		str(k)
		str(e.Attributes[k])
	}
	return b
}

// entryReader reads what appendEntry wrote; the first error sticks.
type entryReader struct {
	s   string
	err error
}

func (r *entryReader) uint() int {
	if r.err != nil {
		return 0
	}
	v, size := varint.Uvarint(r.s)
	if size <= 0 || v > uint64(len(r.s)) {
		r.err = errors.New("bad length")
		return 0
	}
	r.s = r.s[size:]
	return int(v)
}

func (r *entryReader) str() string {
	n := r.uint()
	if r.err != nil || n > len(r.s) {
		if r.err == nil {
			r.err = errors.New("string runs past the entry")
		}
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// fromIndex is how the pack keeps a name's From: 1 + the index of the
// listed name it was read from (always an earlier name), or 0. A From that
// names no earlier name is kept as 0 and decodes empty; the parsers never
// write one.
func fromIndex(names []EntryName, from string) int {
	if from == "" {
		return 0
	}
	for i, nm := range names {
		if nm.Value == from {
			return i + 1
		}
	}
	return 0
}

// decodeEntry reverses appendEntry. Empty slices and maps come back nil, as
// the JSON the stores keep gives them.
func decodeEntry(s string) (Entry, error) {
	r := entryReader{s: s}
	var e Entry
	e.Source, e.SourceID, e.Kind = r.str(), r.str(), EntryKind(r.str())
	if n := r.uint(); n > 0 {
		e.Names = make([]EntryName, n)
		for i := range e.Names {
			e.Names[i] = EntryName{Value: r.str(), Strength: NameStrength(r.str()), Script: r.str()}
			if from := int(r.uint()); from > 0 && from <= i {
				e.Names[i].From = e.Names[from-1].Value
			}
		}
	}
	if n := r.uint(); n > 0 {
		e.Countries = make([]string, n)
		for i := range e.Countries {
			e.Countries[i] = r.str()
		}
	}
	if n := r.uint(); n > 0 {
		e.Addresses = make([]Address, n)
		for i := range e.Addresses {
			e.Addresses[i] = Address{Street: r.str(), City: r.str(), Region: r.str(), Postal: r.str(), Country: r.str(), Full: r.str()}
		}
	}
	if n := r.uint(); n > 0 {
		e.Identifiers = make([]Identifier, n)
		for i := range e.Identifiers {
			e.Identifiers[i] = Identifier{Type: r.str(), Value: r.str(), Country: r.str()}
		}
	}
	if n := r.uint(); n > 0 {
		e.Programs = make([]string, n)
		for i := range e.Programs {
			e.Programs[i] = r.str()
		}
	}
	e.ListedOn, e.SourceURL, e.Remarks = r.str(), r.str(), r.str()
	if n := r.uint(); n > 0 {
		e.Attributes = make(map[string]string, n)
		for range n {
			k := r.str()
			e.Attributes[k] = r.str()
		}
	}
	if r.err == nil && r.s != "" {
		r.err = fmt.Errorf("%d bytes after the entry", len(r.s))
	}
	if r.err != nil {
		return Entry{}, r.err
	}
	return e, nil
}
