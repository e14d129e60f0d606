package redisstore

import (
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// TestHistoryMember: members round-trip, keep time order in byte order, and
// the JSON bodies of earlier versions still read. No server needed.
func TestHistoryMember(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []screening.HistoryEntry{
		{Kind: "product", Key: "mc5x200", ScreeningID: "scr_1", At: at, Party: "customer", Name: "深圳精密貿易有限公司", NameKey: "shenzhen", Country: "CN"},
		{Kind: "contact", Key: "phone:+86", ScreeningID: "scr_2", Reference: "INQ-1", At: at.Add(time.Hour), Party: "payer", Value: "+86 755 1234 5678"},
		{Kind: "deal", Key: "D", ScreeningID: "s", At: at, Name: strings.Repeat("名", 200)},
	}
	for _, e := range tests {
		m := historyMember(&e)
		got, err := parseMember(e.Kind, e.Key, m)
		if err != nil {
			t.Fatalf("parse %q: %v", m, err)
		}
		if !got.At.Equal(e.At) {
			t.Errorf("at %v, want %v", got.At, e.At)
		}
		got.At = e.At
		if got != e {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, e)
		}
	}
	a := historyMember(&tests[0])
	b := historyMember(&tests[1])
	if a >= b {
		t.Error("an earlier entry's member does not sort first")
	}
	legacy := timeKey(at) + "scr_9\x00" + `{"r":"R","p":"customer","n":"ABC","k":"abc","c":"JP"}`
	got, err := parseMember("product", "p", legacy)
	if err != nil || got.Reference != "R" || got.Name != "ABC" || got.Country != "JP" || got.ScreeningID != "scr_9" {
		t.Errorf("legacy member: %+v, %v", got, err)
	}
	good := historyMember(&tests[1])
	for _, bad := range []string{good[:len(good)-1], good + "x", timeKey(at) + "s\x00\x07", timeKey(at) + "s\x00"} {
		if _, err := parseMember("k", "k", bad); err == nil {
			t.Errorf("parseMember(%q) = nil error", bad)
		}
	}
}
