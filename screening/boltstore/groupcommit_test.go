package boltstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

func openRaw(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return db
}

// holdWriter starts a write that blocks inside its transaction until the
// returned release is called, and waits until the write has begun.
func holdWriter(t *testing.T, g *groupCommit, db *bolt.DB) (release func() error) {
	t.Helper()
	inside, unblock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- g.run(db, func(tx *bolt.Tx) error {
			close(inside)
			<-unblock
			return tx.Bucket([]byte("b")).Put([]byte("first"), []byte("1"))
		})
	}()
	<-inside
	return func() error { close(unblock); return <-done }
}

// waitQueued waits until n writes wait for the next commit.
func waitQueued(t *testing.T, g *groupCommit, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.calls.mu.Lock()
		got := len(g.calls.queue)
		g.calls.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued after 10 s, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitSharesOneTransaction(t *testing.T) {
	db := openRaw(t)
	var g groupCommit
	release := holdWriter(t, &g, db)

	const n = 20
	var wg sync.WaitGroup
	txIDs := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = g.run(db, func(tx *bolt.Tx) error {
				txIDs[i] = tx.ID()
				return tx.Bucket([]byte("b")).Put(fmt.Appendf(nil, "k%02d", i), []byte("v"))
			})
		})
	}
	waitQueued(t, &g, n)
	if err := release(); err != nil {
		t.Fatalf("held write: %v", err)
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("write %d: %v", i, errs[i])
		}
		if txIDs[i] != txIDs[0] {
			t.Errorf("write %d committed in transaction %d, write 0 in %d: the queued writes did not share one commit", i, txIDs[i], txIDs[0])
		}
	}
	if err := db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket([]byte("b")).Stats().KeyN; got != n+1 {
			return fmt.Errorf("%d keys stored, want %d", got, n+1)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	g.calls.mu.Lock()
	busy, queued := g.calls.busy, len(g.calls.queue)
	g.calls.mu.Unlock()
	if busy || queued != 0 {
		t.Errorf("after the last commit: busy %v, %d queued; want idle and empty", busy, queued)
	}
}

func TestGroupCommitCapsAGroup(t *testing.T) {
	db := openRaw(t)
	var g groupCommit
	release := holdWriter(t, &g, db)
	n := maxGroup + 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	perTx := map[int]int{}
	for i := range n {
		wg.Go(func() {
			err := g.run(db, func(tx *bolt.Tx) error {
				mu.Lock()
				perTx[tx.ID()]++
				mu.Unlock()
				return tx.Bucket([]byte("b")).Put(fmt.Appendf(nil, "k%04d", i), nil)
			})
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	waitQueued(t, &g, n)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for id, c := range perTx {
		if c > maxGroup {
			t.Errorf("transaction %d ran %d writes, more than %d", id, c, maxGroup)
		}
	}
	if len(perTx) != 2 {
		t.Errorf("%d writes took %d transactions, want 2: %v", n, len(perTx), perTx)
	}
}

// A write that fails or panics gets its own error, leaves nothing behind,
// and does not cost the other writes of its group their commit.
func TestGroupCommitIsolatesAFailedWrite(t *testing.T) {
	db := openRaw(t)
	var g groupCommit
	release := holdWriter(t, &g, db)

	refused := errors.New("refused")
	cases := []struct {
		key     string
		fail    func() error
		wantErr string
	}{
		{"ok1", nil, ""},
		{"bad", func() error { return refused }, "refused"},
		{"ok2", nil, ""},
		{"boom", func() error { panic("kaboom") }, "panic in write: kaboom"},
		{"ok3", nil, ""},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(cases))
	for i, c := range cases {
		wg.Go(func() {
			errs[i] = g.run(db, func(tx *bolt.Tx) error {
				if err := tx.Bucket([]byte("b")).Put([]byte(c.key), []byte("v")); err != nil {
					return err
				}
				if c.fail != nil {
					return c.fail()
				}
				return nil
			})
		})
		waitQueued(t, &g, i+1) // keep the arrival order fixed
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, c := range cases {
		switch {
		case c.wantErr == "" && errs[i] != nil:
			t.Errorf("%s: %v, want no error", c.key, errs[i])
		case c.wantErr != "" && (errs[i] == nil || !strings.Contains(errs[i].Error(), c.wantErr)):
			t.Errorf("%s: error %v, want %q", c.key, errs[i], c.wantErr)
		}
		var stored bool
		_ = db.View(func(tx *bolt.Tx) error { stored = tx.Bucket([]byte("b")).Get([]byte(c.key)) != nil; return nil })
		if stored != (c.wantErr == "") {
			t.Errorf("%s: stored %v, want %v", c.key, stored, c.wantErr == "")
		}
	}
}

func TestGroupCommitOnAClosedDatabase(t *testing.T) {
	db := openRaw(t)
	var g groupCommit
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := g.run(db, func(tx *bolt.Tx) error { return nil })
	if !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		t.Fatalf("write on a closed database: %v, want ErrDatabaseNotOpen", err)
	}
	g.calls.mu.Lock()
	defer g.calls.mu.Unlock()
	if g.calls.busy {
		t.Error("the group stays busy after a failed commit; the next write would wait forever")
	}
}
