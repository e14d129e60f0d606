package boltstore_test

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/storetest"
)

// factory opens each store in its own temporary folder and remembers the
// path of every store it made, so that Reopen can open the same file again.
func factory() storetest.Factory {
	var mu sync.Mutex
	paths := map[screening.Store]string{}
	open := func(t *testing.T, path string) screening.Store {
		t.Helper()
		st, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		mu.Lock()
		paths[st] = path
		mu.Unlock()
		return st
	}
	return storetest.Factory{
		New: func(t *testing.T) screening.Store {
			return open(t, filepath.Join(t.TempDir(), "hikiai.db"))
		},
		Reopen: func(t *testing.T, old screening.Store) screening.Store {
			mu.Lock()
			path := paths[old]
			mu.Unlock()
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, path)
		},
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, factory())
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "hikiai.db")
	first, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer first.Close()
	start := time.Now()
	_, err = boltstore.Open(path, boltstore.Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, boltstore.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("second Open waited %v for a 100 ms timeout", waited)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	again.Close()
}

func TestAppendAuditFillsTime(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "h.db"), boltstore.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec, err := st.AppendAudit(t.Context(), screening.AuditRecord{Kind: screening.AuditRescreen, Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.At.Equal(now) {
		t.Errorf("record without a time got %v, want the store clock %v", rec.At, now)
	}
}
