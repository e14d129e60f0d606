package names

import (
	"hash/maphash"
	"reflect"
	"testing"
)

func TestIDLists(t *testing.T) {
	in := [][]int32{{1, 2, 3}, nil, {7}, {}, {4, 5}}
	l := flattenLists(in)
	for i, want := range in {
		got := l.at(i)
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("at(%d) = %v, want %v", i, got, want)
		}
		if cap(got) != len(got) {
			t.Errorf("at(%d): cap %d > len %d: an append would write into the next list", i, cap(got), len(got))
		}
	}
}

func TestKeyedIDs(t *testing.T) {
	in := map[string][]int32{"tanaka": {1, 4}, "\x00田中": {2}, "": {3}, "suzuki": {9, 8, 7}}
	k := newKeyedIDs(maphash.MakeSeed(), in)
	for key, want := range in {
		got := k.get(key)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("get(%q) = %v, want %v", key, got, want)
		}
		if cap(got) != len(got) {
			t.Errorf("get(%q): cap %d > len %d", key, cap(got), len(got))
		}
	}
	if got := k.get("yamada"); got != nil {
		t.Errorf("get of a missing key = %v", got)
	}
}

func TestStringArena(t *testing.T) {
	var a stringArena
	in := []string{"tanaka", "", "tanaka", "tnk", "田中"}
	for _, s := range in {
		a.add(s)
	}
	if want := len("tanaka") + len("tnk") + len("田中"); len(a.buf) != want {
		t.Errorf("arena of %d bytes, want %d (each string once)", len(a.buf), want)
	}
	for _, s := range in[2:] {
		if off := a.at[s]; string(a.buf[off:off+uint32(len(s))]) != s {
			t.Errorf("%q at %d reads %q", s, off, a.buf[off:off+uint32(len(s))])
		}
	}
}

// TestVocabularyLoad: every token loads back as newTok made it, also into
// a tok that held a longer token before (its lists are reused).
func TestVocabularyLoad(t *testing.T) {
	var toks []tok
	for _, name := range []string{"Vladimir Putin", "ウラジーミル・プーチン", "三菱商事株式会社", "Al-Qaida", "김정은", "Ltd", "ООО Ромашка", "שלום"} {
		for _, k := range prepare(name) {
			toks = append(toks, *k)
		}
	}
	v, err := newVocabulary(toks)
	if err != nil {
		t.Fatal(err)
	}
	if v.len() != len(toks) {
		t.Fatalf("%d tokens, want %d", v.len(), len(toks))
	}
	var reused tok
	for i := len(toks) - 1; i >= 0; i-- {
		var fresh tok
		v.load(int32(i), &fresh)
		v.load(int32(i), &reused)
		for _, got := range []tok{fresh, reused} {
			if !reflect.DeepEqual(withoutEmptyLists(got), withoutEmptyLists(toks[i])) {
				t.Errorf("token %d: loaded %+v, want %+v", i, got, toks[i])
			}
		}
		if v.class(int32(i)) != toks[i].Class {
			t.Errorf("token %d: class %d, want %d", i, v.class(int32(i)), toks[i].Class)
		}
	}
}

// withoutEmptyLists makes empty lists nil: the scorer reads only their length.
func withoutEmptyLists(k tok) tok {
	for _, l := range []*[]string{&k.Alt, &k.forms, &k.phon} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return k
}

// TestTokPool: a *tok handed out stays the same token until reset, however
// many come after it.
func TestTokPool(t *testing.T) {
	var p tokPool
	first := p.next()
	first.Text = "first"
	for range 3 * tokChunk {
		p.next().Text = "later"
	}
	if first.Text != "first" {
		t.Fatalf("the first token became %q", first.Text)
	}
	for range tokChunksKept * tokChunk {
		p.next()
	}
	p.reset()
	if len(p.chunks) != tokChunksKept || p.used != 0 {
		t.Fatalf("after reset: %d chunks, %d used; want %d, 0", len(p.chunks), p.used, tokChunksKept)
	}
	if p.next() != &p.chunks[0][0] {
		t.Fatal("reset does not hand out the first slot again")
	}
}

// TestIndexKeepsRecords: Record gives back what NewIndex was given.
func TestIndexKeepsRecords(t *testing.T) {
	recs := []Record{
		{ID: "meti_eul:1", Names: []NameVariant{{Value: "Beihang University"}, {Value: "BUAA", Weak: true}}, Countries: []string{"CN"}, Kind: "organisation"},
		{ID: "un_sc:2", Names: []NameVariant{{Value: "Kim Jong Un"}}, Kind: "person"},
		{ID: "x:3", Names: []NameVariant{{Value: "Iran Air"}}, Countries: []string{"IR", "CN"}},
	}
	ix, err := NewIndex(recs)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range recs {
		if got := ix.Record(i); !reflect.DeepEqual(got, want) {
			t.Errorf("Record(%d) = %+v, want %+v", i, got, want)
		}
	}
}

// TestVocabularyHasNoPointers: the reason vocabulary exists. A string or a
// slice added to a token would bring back a pointer per token for the GC to
// scan in every cycle (see vocab.go).
func TestVocabularyHasNoPointers(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[vocabTok](), reflect.TypeFor[strRef]()} {
		if p := pointerIn(typ); p != "" {
			t.Errorf("%v holds a pointer: %s", typ, p)
		}
	}
}

// pointerIn names a field of typ that is or holds a pointer, or is "".
func pointerIn(typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return ""
	case reflect.Array:
		return pointerIn(typ.Elem())
	case reflect.Struct:
		for i := range typ.NumField() {
			if p := pointerIn(typ.Field(i).Type); p != "" {
				return typ.Field(i).Name + "." + p
			}
		}
		return ""
	}
	return typ.Kind().String()
}
