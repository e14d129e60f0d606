package boltstore

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func TestHistoryCodec(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 123456789, time.UTC)
	tests := []screening.HistoryEntry{
		{Kind: screening.HistoryProduct, Key: "mc5x200", ScreeningID: "scr_1", At: at, Party: "customer", Name: "深圳精密貿易有限公司", NameKey: "shenzhen seimitsu", Country: "CN"},
		{Kind: screening.HistoryContact, Key: "phone:+8675512345678", ScreeningID: "scr_2", Reference: "INQ-1", At: at.Add(-time.Hour), Party: "payer", Name: "X", NameKey: "x", Value: "+86 755 1234 5678"},
		{Kind: screening.HistoryDeal, Key: "D", ScreeningID: "s", At: time.Unix(0, 0).UTC()},
		{Kind: "k", Key: strings.Repeat("長", 300), ScreeningID: "s", At: at},
	}
	for _, e := range tests {
		var got screening.HistoryEntry
		if err := decodeHistory(encodeHistory(&e), &got); err != nil {
			t.Fatalf("decode %+v: %v", e, err)
		}
		if got != e {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, e)
		}
		// Entries written as JSON by earlier versions still read.
		old, _ := json.Marshal(&e)
		var legacy screening.HistoryEntry
		if err := decodeHistory(old, &legacy); err != nil || !legacy.At.Equal(e.At) || legacy.Key != e.Key || legacy.Name != e.Name {
			t.Errorf("legacy JSON %s: %+v, %v", old, legacy, err)
		}
	}
	good := encodeHistory(&tests[1])
	for _, bad := range [][]byte{nil, {}, {9}, good[:5], good[:len(good)-1], append(append([]byte{}, good...), 0)} {
		var e screening.HistoryEntry
		if err := decodeHistory(bad, &e); err == nil {
			t.Errorf("decodeHistory(%x) = nil error", bad)
		}
	}
}

func FuzzDecodeHistory(f *testing.F) {
	f.Add(encodeHistory(&screening.HistoryEntry{Kind: "product", Key: "a", ScreeningID: "s", At: time.Unix(1, 0)}))
	f.Add([]byte(`{"kind":"deal"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e screening.HistoryEntry
		if err := decodeHistory(b, &e); err != nil || (len(b) > 0 && b[0] == '{') {
			return
		}
		// What decodes survives a round trip unchanged.
		var again screening.HistoryEntry
		if err := decodeHistory(encodeHistory(&e), &again); err != nil || again != e {
			t.Fatalf("round trip of %x: %+v, %v; want %+v", b, again, err, e)
		}
	})
}
