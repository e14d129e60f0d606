package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/internal/varint"
)

// History entries are read by the hundred on every screening (the red flags
// compare an inquiry with what came before), so they are stored in a compact
// binary form rather than JSON: about a third of the bytes and a tenth of the
// decoding time. Layout: version byte, At as Unix nanoseconds (8 bytes, big
// endian), then the strings, each as a uvarint length and its bytes. A value
// that starts with '{' is the JSON of earlier versions and is still read.
const historyCodecV1 = 1

func encodeHistory(e *screening.HistoryEntry) []byte {
	fields := historyFields(e)
	n := 9
	for _, f := range fields {
		n += binary.MaxVarintLen32 + len(*f)
	}
	b := make([]byte, 9, n)
	b[0] = historyCodecV1
	binary.BigEndian.PutUint64(b[1:9], uint64(e.At.UnixNano()))
	for _, f := range fields {
		b = appendLP(b, *f)
	}
	return b
}

func decodeHistory(b []byte, e *screening.HistoryEntry) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, e)
	}
	return decodeHistoryString(string(b), e)
}

// decodeHistoryString decodes an entry held in a string. Every field is a
// piece of that string, so an entry costs one allocation (the string), not
// nine: screenings decode entries by the hundred.
func decodeHistoryString(b string, e *screening.HistoryEntry) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal([]byte(b), e)
	}
	if len(b) < 9 || b[0] != historyCodecV1 {
		return errors.New("history entry: unknown encoding")
	}
	*e = screening.HistoryEntry{At: time.Unix(0, int64(binary.BigEndian.Uint64([]byte(b[1:9])))).UTC()}
	pos := 9
	for i, f := range historyFields(e) {
		n, size := varint.Uvarint(b[pos:])
		if size <= 0 || uint64(len(b)-pos-size) < n {
			return fmt.Errorf("history entry: field %d truncated", i)
		}
		start := pos + size
		pos = start + int(n)
		*f = b[start:pos]
	}
	if pos != len(b) {
		return errors.New("history entry: trailing bytes")
	}
	return nil
}

// historyFields are the string fields in stored order; append new ones at the
// end only (a new version byte otherwise).
func historyFields(e *screening.HistoryEntry) [9]*string {
	return [9]*string{&e.Kind, &e.Key, &e.ScreeningID, &e.Reference, &e.Party, &e.Name, &e.NameKey, &e.Country, &e.Value}
}
