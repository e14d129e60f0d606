// Package varint reads the length-prefixed fields both stores use for
// history entries, straight from a string.
package varint

import "encoding/binary"

// Uvarint is binary.Uvarint over a string, without copying it: n is the
// value, size the bytes read (0: too short, negative: overflow).
func Uvarint(s string) (n uint64, size int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s); i++ {
		if i == binary.MaxVarintLen64 {
			return 0, -(i + 1) // overflow
		}
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, -(i + 1) // overflow
			}
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
