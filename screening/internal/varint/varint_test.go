package varint

import (
	"encoding/binary"
	"testing"
)

func TestUvarintMatchesBinary(t *testing.T) {
	cases := [][]byte{
		nil, {0}, {1}, {0x7f}, {0x80}, {0x80, 1}, {0xff, 0xff, 0x03},
		binary.AppendUvarint(nil, 1<<63), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	for _, b := range cases {
		wantN, wantSize := binary.Uvarint(b)
		gotN, gotSize := Uvarint(string(b))
		if gotN != wantN || gotSize != wantSize {
			t.Errorf("Uvarint(%x) = %d, %d; binary.Uvarint gives %d, %d", b, gotN, gotSize, wantN, wantSize)
		}
	}
}

func FuzzUvarint(f *testing.F) {
	f.Add([]byte{0x80, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		wantN, wantSize := binary.Uvarint(b)
		if gotN, gotSize := Uvarint(string(b)); gotN != wantN || gotSize != wantSize {
			t.Errorf("Uvarint(%x) = %d, %d; want %d, %d", b, gotN, gotSize, wantN, wantSize)
		}
	})
}
