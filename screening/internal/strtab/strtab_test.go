package strtab

import (
	"encoding/binary"
	"testing"
)

func TestTable(t *testing.T) {
	in := []string{"", "Beihang University", "", "北京航空航天大学", "x"}
	var b Builder
	for _, s := range in {
		if err := b.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Append(func(p []byte) []byte { return binary.AppendUvarint(p, 300) }); err != nil {
		t.Fatal(err)
	}
	tab := b.Build()
	want := append(in, string(binary.AppendUvarint(nil, 300)))
	if tab.Len() != len(want) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(want))
	}
	for i, w := range want {
		if got := tab.At(i); got != w {
			t.Errorf("At(%d) = %q, want %q", i, got, w)
		}
	}
	for _, r := range []struct{ lo, hi, want int }{{0, 0, 0}, {0, 2, 18}, {1, 4, 18 + len("北京航空航天大学")}, {3, 3, 0}, {4, 5, 1}} {
		if got := tab.Bytes(r.lo, r.hi); got != r.want {
			t.Errorf("Bytes(%d, %d) = %d, want %d", r.lo, r.hi, got, r.want)
		}
	}
	var empty Table
	if empty.Len() != 0 {
		t.Errorf("empty table: Len %d", empty.Len())
	}
}

// A table built of many strings, with and without Grow, holds them all; the
// builder doubles its bytes rather than letting append grow them a quarter at
// a time, so building copies the bytes at most about twice.
func TestBuilderGrowth(t *testing.T) {
	for _, grow := range []bool{false, true} {
		var b Builder
		if grow {
			b.Grow(100_000, 100_000*12)
		}
		grew := 0
		for i := range 100_000 {
			before := cap(b.buf)
			if err := b.Append(func(p []byte) []byte { return binary.AppendUvarint(append(p, "entry-"...), uint64(i)) }); err != nil {
				t.Fatal(err)
			}
			if cap(b.buf) != before {
				grew++
			}
		}
		tab := b.Build()
		if tab.Len() != 100_000 || tab.At(99_999) != string(binary.AppendUvarint([]byte("entry-"), 99_999)) {
			t.Fatalf("grow=%v: %d strings, last %q", grow, tab.Len(), tab.At(tab.Len()-1))
		}
		if max := map[bool]int{false: 12, true: 0}[grow]; grew > max {
			t.Errorf("grow=%v: the bytes were reallocated %d times, want at most %d", grow, grew, max)
		}
	}
}
