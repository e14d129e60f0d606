package names

import (
	"fmt"
	"math"
)

// The vocabulary was a []tok whose strings lived in one string: three
// objects for the GC, but every string header inside the slice was still a
// pointer that each cycle scanned. At a million list entries that was 58 MB
// of the index's 69 MB that the GC scans, and a forced collection took 18 ms
// with it and 1.5 ms without it. Here a token is offsets into one string:
// nothing inside the slices is a pointer. A search loads the few hundred
// tokens it looks at into tok values of its scratch.

// strRef is a string of the vocabulary's data, or a run of its refs.
type strRef struct{ off, n uint32 }

// vocabTok is a tok without pointers; the lists index refs.
type vocabTok struct {
	text, latin, skel, particle strRef
	alt, forms, phon            strRef
	prior                       float64
	script                      Script
	class                       Class
}

type vocabulary struct {
	data string // every string of every token, each distinct one once
	refs []strRef
	toks []vocabTok
}

// newVocabulary packs toks. It fails only when the strings pass 4 GiB,
// which the list set's own limit keeps far off.
func newVocabulary(toks []tok) (vocabulary, error) {
	var arena stringArena
	refs := 0
	for i := range toks {
		t := &toks[i]
		for _, s := range [...]string{t.Text, t.Latin, t.skel, t.particle} {
			arena.add(s)
		}
		for _, l := range [...][]string{t.Alt, t.forms, t.phon} {
			for _, s := range l {
				arena.add(s)
			}
			refs += len(l)
		}
	}
	if len(arena.buf) > math.MaxUint32 || refs > math.MaxUint32 {
		return vocabulary{}, fmt.Errorf("names: vocabulary of %d bytes in %d strings is past 4 GiB", len(arena.buf), refs)
	}
	v := vocabulary{data: string(arena.buf), refs: make([]strRef, 0, refs), toks: make([]vocabTok, len(toks))}
	ref := func(s string) strRef {
		if s == "" {
			return strRef{}
		}
		return strRef{off: arena.at[s], n: uint32(len(s))}
	}
	list := func(l []string) strRef {
		r := strRef{off: uint32(len(v.refs)), n: uint32(len(l))}
		for _, s := range l {
			v.refs = append(v.refs, ref(s))
		}
		return r
	}
	for i := range toks {
		t := &toks[i]
		v.toks[i] = vocabTok{
			text: ref(t.Text), latin: ref(t.Latin), skel: ref(t.skel), particle: ref(t.particle),
			alt: list(t.Alt), forms: list(t.forms), phon: list(t.phon),
			prior: t.prior, script: t.Script, class: t.Class,
		}
	}
	return v, nil
}

func (v *vocabulary) len() int { return len(v.toks) }

func (v *vocabulary) class(id int32) Class { return v.toks[id].class }

// latin is a token's Latin form, without loading the rest of it.
func (v *vocabulary) latin(id int32) string { return v.str(v.toks[id].latin) }

func (v *vocabulary) str(r strRef) string { return v.data[r.off : r.off+r.n] }

// strs appends the strings of a run to dst[:0], reusing its array. An
// empty run may give nil or an empty list: no reader tells them apart.
func (v *vocabulary) strs(dst []string, r strRef) []string {
	refs := v.refs[r.off : r.off+r.n]
	if cap(dst) < len(refs) {
		dst = make([]string, len(refs))
	}
	dst = dst[:len(refs)]
	for i, s := range refs {
		dst[i] = v.str(s)
	}
	return dst
}

// load writes token id into t, reusing t's lists. t's strings point into the
// vocabulary's data, so t stays valid as long as the index does; its lists
// only until t is loaded again.
func (v *vocabulary) load(id int32, t *tok) {
	c := &v.toks[id]
	t.Text, t.Latin, t.skel, t.particle = v.str(c.text), v.str(c.latin), v.str(c.skel), v.str(c.particle)
	t.Alt, t.forms, t.phon = v.strs(t.Alt, c.alt), v.strs(t.forms, c.forms), v.strs(t.phon, c.phon)
	t.prior, t.Script, t.Class = c.prior, c.script, c.class
}

// tokPool hands out tok values for one search. Chunks never move, so a
// *tok stays valid until reset; their lists' arrays are reused by load.
type tokPool struct {
	chunks [][]tok
	used   int
}

const (
	tokChunk      = 256
	tokChunksKept = 16 // what a search of many long names leaves is let go
)

func (p *tokPool) next() *tok {
	c, i := p.used/tokChunk, p.used%tokChunk
	if c == len(p.chunks) {
		p.chunks = append(p.chunks, make([]tok, tokChunk))
	}
	p.used++
	return &p.chunks[c][i]
}

func (p *tokPool) reset() {
	p.used = 0
	if len(p.chunks) > tokChunksKept {
		clear(p.chunks[tokChunksKept:])
		p.chunks = p.chunks[:tokChunksKept]
	}
}
