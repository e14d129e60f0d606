package boltstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// A screening save is durable once it is in the journal (journal.go); the
// applier then writes it into bbolt together with the saves around it.
// Until then it is "unapplied": its screening id, reference and case id are
// reserved here, so that conflicts are caught as before, and a read of
// screenings, cases or the audit trail first waits until everything
// acknowledged before it is applied (settle), so that callers read their own
// writes. The hot path (idempotency look-up by reference) reads the
// unapplied saves directly instead of waiting.
const (
	// applyDelay is how long the applier gathers saves before writing them,
	// unless a reader waits or applyBatch saves are waiting.
	applyDelay = 100 * time.Millisecond
	applyBatch = 2000
	// applyChunk bounds one bbolt transaction of the applier.
	applyChunk = 5000
	// maxUnapplied bounds the saves held in memory: past it, saves wait for
	// the applier (which then runs without pause).
	maxUnapplied = 20000
	// applyRetry is the pause after a failed apply before the next attempt.
	applyRetry = time.Second
)

// savedScreening is one SaveScreening: what the journal holds and the
// applier writes.
type savedScreening struct {
	scr      screeningKeys
	scrJSON  []byte
	c        *screening.Case
	caseJSON []byte
	audit    screening.AuditRecord
	history  []*pendingEntry

	settled chan struct{} // closed once the save is durable or has failed
	durable bool          // written before settled is closed
}

// screeningKeys are the fields of a screening its index keys are made of.
type screeningKeys struct {
	ID, KeyID, Reference, CustomerKey string
	ScreenedAt                        time.Time
}

func keysOf(scr *screening.Screening) screeningKeys {
	return screeningKeys{ID: scr.ID, KeyID: scr.KeyID, Reference: scr.Reference, CustomerKey: scr.CustomerKey, ScreenedAt: scr.ScreenedAt}
}

// unappliedSaves is what the journal holds and bbolt does not yet.
type unappliedSaves struct {
	mu    sync.Mutex
	saves []*savedScreening          // durable, in journal order
	ids   map[string]*savedScreening // screening id → save, from reservation until applied
	refs  map[string]*savedScreening // refKey → save
	cases map[string]bool

	confirmed, applied uint64        // saves made durable and applied, ever
	progress           chan struct{} // closed and replaced after every apply
	err                error         // why the last apply failed; nil after a success

	kick   chan struct{} // saves are waiting
	urgent chan struct{} // a reader waits, or applyBatch saves do
	stop   chan struct{} // Close: apply what is left and end
	done   chan struct{}
	paused atomic.Bool // tests: hold saves unapplied, as a crash would find them
	// delay is applyDelay in nanoseconds; a test sets it far longer to
	// tell a hurried apply from one the timer started, without a clock race.
	delay atomic.Int64
}

func newUnappliedSaves() *unappliedSaves {
	u := &unappliedSaves{
		ids: map[string]*savedScreening{}, refs: map[string]*savedScreening{}, cases: map[string]bool{},
		progress: make(chan struct{}),
		kick:     make(chan struct{}, 1), urgent: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	u.delay.Store(int64(applyDelay))
	return u
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// errApply makes an apply failure the caller's EUNAVAILABLE.
func errApply(err error) error {
	return screening.Errorf(screening.EUNAVAILABLE, "saved screenings cannot be written to the store: %v", err)
}

// reserve checks a save against the unapplied saves and bbolt and claims
// its id, reference and case id, so that a second save of any of them is a
// conflict even before the first is applied.
//
// The claim comes first and bbolt is read after it, outside the lock (which
// the journal writer also needs). That is enough: a save leaves the
// unapplied set only after its commit, so an earlier save with the same
// reference is either still claimed here or visible in bbolt.
func (s *Store) reserve(ctx context.Context, sv *savedScreening) error {
	u := s.unapplied
	ref := ""
	if sv.scr.Reference != "" {
		ref = string(refKey(sv.scr.KeyID, sv.scr.Reference))
	}
	if err := u.claim(ctx, sv, ref); err != nil {
		return err
	}
	var conflict error
	err := s.db.View(func(tx *bolt.Tx) error {
		switch {
		case tx.Bucket(bScreening).Get([]byte(sv.scr.ID)) != nil:
			conflict = screening.Errorf(screening.ECONFLICT, "screening %s exists", sv.scr.ID)
		case ref != "" && tx.Bucket(bScreeningRef).Get([]byte(ref)) != nil:
			conflict = screening.Errorf(screening.ECONFLICT, "reference %q was already used by this key", sv.scr.Reference)
		case sv.c != nil && tx.Bucket(bCase).Get([]byte(sv.c.ID)) != nil:
			conflict = screening.Errorf(screening.ECONFLICT, "case %s exists", sv.c.ID)
		}
		return nil
	})
	if err == nil {
		err = conflict
	}
	if err != nil {
		u.fail(sv)
		return err
	}
	return nil
}

// claim takes sv's id, reference and case id among the unapplied saves,
// first waiting while too many saves are unapplied.
func (u *unappliedSaves) claim(ctx context.Context, sv *savedScreening, ref string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.waitLocked(ctx, func() bool { return len(u.saves) < maxUnapplied }); err != nil {
		return err
	}
	switch {
	case u.ids[sv.scr.ID] != nil:
		return screening.Errorf(screening.ECONFLICT, "screening %s exists", sv.scr.ID)
	case ref != "" && u.refs[ref] != nil:
		return screening.Errorf(screening.ECONFLICT, "reference %q was already used by this key", sv.scr.Reference)
	case sv.c != nil && u.cases[sv.c.ID]:
		return screening.Errorf(screening.ECONFLICT, "case %s exists", sv.c.ID)
	}
	u.ids[sv.scr.ID] = sv
	if ref != "" {
		u.refs[ref] = sv
	}
	if sv.c != nil {
		u.cases[sv.c.ID] = true
	}
	return nil
}

// release drops the reservations of saves that failed or were applied;
// the caller holds u.mu.
func (u *unappliedSaves) release(sv *savedScreening) {
	if u.ids[sv.scr.ID] == sv {
		delete(u.ids, sv.scr.ID)
	}
	if sv.scr.Reference != "" {
		ref := string(refKey(sv.scr.KeyID, sv.scr.Reference))
		if u.refs[ref] == sv {
			delete(u.refs, ref)
		}
	}
	if sv.c != nil {
		delete(u.cases, sv.c.ID)
	}
}

// fail ends a save whose journal write failed.
func (u *unappliedSaves) fail(sv *savedScreening) {
	u.mu.Lock()
	u.release(sv)
	u.mu.Unlock()
	close(sv.settled)
}

// confirm queues a save that is durable for the applier. The journal calls
// it in file order.
func (u *unappliedSaves) confirm(sv *savedScreening) {
	u.mu.Lock()
	u.saves = append(u.saves, sv)
	u.confirmed++
	n := len(u.saves)
	u.mu.Unlock()
	sv.durable = true
	close(sv.settled)
	signal(u.kick)
	if n >= applyBatch {
		signal(u.urgent)
	}
}

// byReference returns the unapplied save with a reference, waiting for it
// to become durable first; nil when there is none (or it failed).
func (u *unappliedSaves) byReference(ctx context.Context, ref []byte) (*savedScreening, error) {
	u.mu.Lock()
	sv := u.refs[string(ref)]
	u.mu.Unlock()
	if sv == nil {
		return nil, nil
	}
	select {
	case <-sv.settled:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !sv.durable {
		return nil, nil
	}
	return sv, nil
}

// settle returns once every save acknowledged before the call is in bbolt,
// so that a read that follows sees it.
func (s *Store) settle(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u := s.unapplied
	u.mu.Lock()
	defer u.mu.Unlock()
	target := u.confirmed
	return u.waitLocked(ctx, func() bool { return u.applied >= target })
}

// waitLocked hurries the applier and waits until done holds, an apply fails
// or ctx ends. The caller holds u.mu; it is released while waiting and held
// again on return.
func (u *unappliedSaves) waitLocked(ctx context.Context, done func() bool) error {
	for !done() {
		if u.err != nil {
			return errApply(u.err)
		}
		ch := u.progress
		u.mu.Unlock()
		signal(u.urgent)
		select {
		case <-ch:
		case <-ctx.Done():
		}
		u.mu.Lock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// applyLoop writes durable saves into bbolt until Close.
func (s *Store) applyLoop() {
	u := s.unapplied
	defer close(u.done)
	for {
		hurry := false
		select {
		case <-u.kick:
		case <-u.urgent:
			hurry = true
		case <-u.stop:
			s.applyLeft()
			// Wake the readers still waiting: what is applied now is all
			// there will be until the next open replays the journal.
			u.mu.Lock()
			if u.applied < u.confirmed && u.err == nil {
				u.err = errors.New("the store closed before they were applied; they are kept in the journal")
			}
			close(u.progress)
			u.progress = make(chan struct{})
			u.mu.Unlock()
			return
		}
		if u.paused.Load() {
			continue
		}
		if !hurry {
			// Gather the saves of applyDelay, so that they share pages.
			t := time.NewTimer(time.Duration(u.delay.Load()))
			select {
			case <-t.C:
			case <-u.urgent:
			case <-u.stop:
			}
			t.Stop()
		}
		if err := s.applyOnce(); err != nil {
			u.mu.Lock()
			u.err = err
			close(u.progress) // wake the waiters: they answer EUNAVAILABLE
			u.progress = make(chan struct{})
			u.mu.Unlock()
			select {
			case <-time.After(applyRetry):
			case <-u.stop:
			}
			signal(u.kick)
		}
	}
}

// applyLeft applies what is left at Close (appends have stopped).
func (s *Store) applyLeft() {
	if s.unapplied.paused.Load() {
		return
	}
	for range 3 {
		if err := s.applyOnce(); err == nil {
			return
		}
	}
}

// allApplied reports whether bbolt holds every durable save.
func (u *unappliedSaves) allApplied() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.applied == u.confirmed
}

// applyOnce writes every durable save into bbolt and empties the journal
// file they were in. Only the applier calls it.
func (s *Store) applyOnce() error {
	u := s.unapplied
	if err := s.emptyTurned(); err != nil {
		return err
	}
	var upTo uint64
	old, turned, err := s.journal.turn(func() {
		u.mu.Lock()
		upTo = u.confirmed
		u.mu.Unlock()
	})
	if err != nil {
		return err
	}
	if turned {
		s.turned = &turnedFile{file: old, upTo: upTo}
	}
	u.mu.Lock()
	batch := slices.Clone(u.saves)
	u.mu.Unlock()
	for len(batch) > 0 {
		chunk := batch[:min(len(batch), applyChunk)]
		batch = batch[len(chunk):]
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, sv := range chunk {
				if err := s.applySave(tx, sv); err != nil {
					return fmt.Errorf("apply screening %s: %w", sv.scr.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Before the progress signal: whoever settle releases finds the
		// entries committed (and cached), not pending.
		for _, sv := range chunk {
			s.history.committed(sv.history)
		}
		u.mu.Lock()
		// Cleared, not only sliced off: the array behind u.saves would keep
		// the applied saves (and their JSON) alive until append replaces it.
		clear(u.saves[:len(chunk)])
		u.saves = u.saves[len(chunk):]
		for _, sv := range chunk {
			u.release(sv)
		}
		u.applied += uint64(len(chunk))
		u.err = nil
		close(u.progress)
		u.progress = make(chan struct{})
		u.mu.Unlock()
	}
	return s.emptyTurned()
}

// turnedFile is a journal file the appends have left, and the count of
// confirmed saves that must be applied before it may be emptied.
type turnedFile struct {
	file int
	upTo uint64
}

// emptyTurned empties the file the appends left once its saves are applied.
func (s *Store) emptyTurned() error {
	t := s.turned
	if t == nil {
		return nil
	}
	u := s.unapplied
	u.mu.Lock()
	ready := u.applied >= t.upTo
	u.mu.Unlock()
	if !ready {
		return nil
	}
	if err := s.journal.empty(t.file); err != nil {
		return err
	}
	s.turned = nil
	return nil
}

// applySave writes one save into tx. A save that is there already (replayed
// at open after it was applied) is skipped whole: it was written in one
// transaction, so its case, history and audit record are there too.
func (s *Store) applySave(tx *bolt.Tx, sv *savedScreening) error {
	scr, c := sv.scr, sv.c
	id := []byte(scr.ID)
	if tx.Bucket(bScreening).Get(id) != nil {
		return nil
	}
	at := timeKey(scr.ScreenedAt)
	puts := []put{
		{bScreening, id, sv.scrJSON},
		{bScreeningAt, cat(at, id), nil},
		{bScreeningKey, cat(lp(scr.KeyID), at, id), nil},
		{bScreeningCus, cat(lp(scr.CustomerKey), at, id), nil},
	}
	if scr.Reference != "" {
		puts = append(puts, put{bScreeningRef, refKey(scr.KeyID, scr.Reference), id})
	}
	for _, p := range puts {
		if err := writeBucket(tx, p.bucket).Put(p.key, nonNil(p.value)); err != nil {
			return err
		}
	}
	if c != nil {
		if err := appendBucket(tx, bCase).Put([]byte(c.ID), sv.caseJSON); err != nil {
			return err
		}
		if err := putCaseIndex(tx, c); err != nil {
			return err
		}
	}
	if err := writePending(tx, slices.Clone(sv.history)); err != nil {
		return err
	}
	_, err := s.appendAudit(tx, sv.audit)
	return err
}

// replayJournal applies the saves a journal still holds at open: those
// acknowledged before a crash and not yet applied.
func (s *Store) replayJournal(frames [][]byte) error {
	s.replayed = len(frames)
	for len(frames) > 0 {
		chunk := frames[:min(len(frames), applyChunk)]
		frames = frames[len(chunk):]
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, f := range chunk {
				sv, err := decodeSave(f)
				if err != nil {
					return fmt.Errorf("journal record %d: %w", i, err)
				}
				if err := s.applySave(tx, sv); err != nil {
					return fmt.Errorf("replay screening %s: %w", sv.scr.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			// Refusing to start keeps the saves; the operator decides.
			return fmt.Errorf("replay journal %s: %w (to start without the saves it holds, move the journal files aside)",
				filepath.Base(s.journal.paths[0])+", "+filepath.Base(s.journal.paths[1]), err)
		}
	}
	return s.journal.reset()
}

// errClosed is what a save gets once Close has begun.
var errClosed = screening.Errorf(screening.EUNAVAILABLE, "the store is closed")

// journalErr turns a journal failure into the caller's error.
func journalErr(err error) error {
	if errors.Is(err, errJournalClosed) {
		return errClosed
	}
	return screening.Errorf(screening.EUNAVAILABLE, "%v", err)
}
