package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// Buckets whose keys only grow fill their pages; with bbolt's default of a
// split at half full, the file and every commit grew twice as fast as the
// data (appendBucket).
func TestAppendedBucketsFillTheirPages(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "fill.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 400 {
		at := start.Add(time.Duration(i) * time.Second)
		scr := &screening.Screening{
			Result: screening.Result{ID: screening.NewID("scr", at), Reference: fmt.Sprintf("INQ-%04d", i), ScreenedAt: at,
				Level: screening.LevelLow, Action: screening.ActionProceed},
			KeyID: "key_1", CustomerKey: fmt.Sprintf("customer %d", i%37),
		}
		audit := screening.NewAuditRecord(at, screening.AuditScreening, "key_1", scr.ID, map[string]any{"reference": scr.Reference, "customer": scr.CustomerKey})
		if err := st.SaveScreening(ctx, scr, nil, audit); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.settle(ctx); err != nil {
		t.Fatal(err)
	}
	err = st.db.View(func(tx *bolt.Tx) error {
		pageSize := st.db.Info().PageSize
		for _, name := range [][]byte{bAudit, bScreening} {
			s := tx.Bucket(name).Stats()
			if s.LeafPageN < 20 {
				return fmt.Errorf("bucket %s has %d leaf pages; the test needs more data to mean anything", name, s.LeafPageN)
			}
			// bbolt's default leaves these 47-50% full; filled, 77-83%.
			fill := float64(s.LeafInuse) / float64(s.LeafPageN*pageSize)
			if fill < 0.7 {
				t.Errorf("bucket %s: leaf pages %.0f%% full (%d pages), want at least 70%%", name, 100*fill, s.LeafPageN)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
