package redisstore

import "github.com/hikiai/hikiai/screening"

// For the tests of package redisstore_test, which may use redistest (it
// imports this package).
var (
	HistoryMember = func(e screening.HistoryEntry) string { return historyMember(&e) }
	TimeKey       = timeKey
)

func (s *Store) HistoryKeys(kind, key string) []string { return s.historyKeys(kind, key) }
