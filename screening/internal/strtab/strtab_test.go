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
	var empty Table
	if empty.Len() != 0 {
		t.Errorf("empty table: Len %d", empty.Len())
	}
}
