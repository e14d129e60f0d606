package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

func refKey(keyID, reference string) []byte { return cat(lp(keyID), []byte(reference)) }

// SaveScreening makes the screening, its case, the audit record and the
// history the screening recorded durable together: one journal record,
// synced before it returns, shared with concurrent saves (journal.go). The
// applier writes them into bbolt in one transaction shortly after; reads
// wait for that (apply.go).
func (s *Store) SaveScreening(ctx context.Context, scr *screening.Screening, c *screening.Case, audit screening.AuditRecord) error {
	if scr == nil || scr.ID == "" {
		return screening.Errorf(screening.EINVALID, "a screening needs an id")
	}
	if c != nil && c.ID == "" {
		return screening.Errorf(screening.EINVALID, "a case needs an id")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: save screening %s: %w", scr.ID, err)
	}
	sv := &savedScreening{scr: keysOf(scr), audit: audit, settled: make(chan struct{})}
	var err error
	if sv.scrJSON, err = json.Marshal(scr); err != nil {
		return fmt.Errorf("boltstore: encode screening %s: %w", scr.ID, err)
	}
	if c != nil {
		if sv.caseJSON, err = json.Marshal(c); err != nil {
			return fmt.Errorf("boltstore: encode case %s: %w", c.ID, err)
		}
	}
	if c != nil {
		cc := *c // the caller may change c after; the index keys use its fields
		sv.c = &cc
	}
	if err := s.reserve(ctx, sv); err != nil {
		return s.fail("save screening "+scr.ID, err)
	}
	// The history this screening recorded is saved with it (historyindex.go).
	sv.history = s.history.forScreening(scr.ID)
	fr, err := encodeSave(sv, s.frames.get())
	if err == nil {
		err = s.journal.append(fr, func() { s.unapplied.confirm(sv) })
		s.frames.put(fr) // written (or failed): nothing keeps it
		if err != nil {
			err = journalErr(err)
		}
	}
	if err != nil {
		s.unapplied.fail(sv)
		return s.fail("save screening "+scr.ID, err)
	}
	return nil
}

// put is one key to write into one bucket.
type put struct{ bucket, key, value []byte }

// nonNil turns a nil value into an empty one: bbolt stores both, but a nil
// value reads back as "missing" from Get.
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// Screening returns one screening by id.
func (s *Store) Screening(ctx context.Context, id string) (*screening.Screening, error) {
	var out screening.Screening
	err := s.view(ctx, "get screening", func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bScreening), []byte(id), &out)
		if err == nil && !found {
			return screening.Errorf(screening.ENOTFOUND, "screening %s not found", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ScreeningByReference returns the screening keyID made with reference. It is
// on the hot path (every ERP retry), so it looks at the unapplied saves
// instead of waiting for them to be applied.
func (s *Store) ScreeningByReference(ctx context.Context, keyID, reference string) (*screening.Screening, error) {
	var out screening.Screening
	sv, err := s.unapplied.byReference(ctx, refKey(keyID, reference))
	if err != nil {
		return nil, fmt.Errorf("boltstore: get screening by reference: %w", err)
	}
	if sv != nil {
		// A copy: the caller may change what it gets.
		if err := json.Unmarshal(sv.scrJSON, &out); err != nil {
			return nil, fmt.Errorf("boltstore: decode screening %s: %w", sv.scr.ID, err)
		}
		return &out, nil
	}
	// A save applied between the look-up above and this read is in bbolt by
	// now: it leaves the unapplied saves only after its commit.
	err = s.viewNow(ctx, "get screening by reference", func(tx *bolt.Tx) error {
		id := tx.Bucket(bScreeningRef).Get(refKey(keyID, reference))
		if id == nil {
			return screening.Errorf(screening.ENOTFOUND, "no screening with reference %q", reference)
		}
		found, err := getJSON(tx.Bucket(bScreening), id, &out)
		if err == nil && !found {
			return fmt.Errorf("reference %q points at missing screening %s", reference, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListScreenings returns screenings newest first. The most selective index is
// walked (key, then customer, then all) and the other filter checked on the
// record.
func (s *Store) ListScreenings(ctx context.Context, f screening.ScreeningFilter) ([]*screening.Screening, string, error) {
	var out []*screening.Screening
	var next string
	err := s.view(ctx, "list screenings", func(tx *bolt.Tx) error {
		index, prefix := bScreeningAt, []byte(nil)
		var match func(*screening.Screening) bool
		switch {
		case f.KeyID != "":
			index, prefix = bScreeningKey, lp(f.KeyID)
			if f.CustomerKey != "" {
				match = func(s *screening.Screening) bool { return s.CustomerKey == f.CustomerKey }
			}
		case f.CustomerKey != "":
			index, prefix = bScreeningCus, lp(f.CustomerKey)
		}
		var err error
		out, next, err = page(tx, index, bScreening, prefix, f.Since, f.Cursor, f.Limit, match)
		return err
	})
	return out, next, err
}

// caseIndexKeys are the index entries of a case, bucket by bucket.
func caseIndexKeys(c *screening.Case) [][2][]byte {
	at, id := timeKey(c.CreatedAt), []byte(c.ID)
	return [][2][]byte{
		{bCaseAt, cat(at, id)},
		{bCaseStatus, cat(lp(c.Status), at, id)},
		{bCaseLevel, cat(lp(string(c.Level)), at, id)},
		{bCaseCus, cat(lp(c.CustomerKey), at, id)},
	}
}

func putCaseIndex(tx *bolt.Tx, c *screening.Case) error {
	for _, ik := range caseIndexKeys(c) {
		if err := writeBucket(tx, ik[0]).Put(ik[1], []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id string) (*screening.Case, error) {
	var out screening.Case
	err := s.view(ctx, "get case", func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bCase), []byte(id), &out)
		if err == nil && !found {
			return screening.Errorf(screening.ENOTFOUND, "case %s not found", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCases returns cases newest first (by CreatedAt, then id).
func (s *Store) ListCases(ctx context.Context, f screening.CaseFilter) ([]*screening.Case, string, error) {
	var out []*screening.Case
	var next string
	err := s.view(ctx, "list cases", func(tx *bolt.Tx) error {
		index, prefix := bCaseAt, []byte(nil)
		switch {
		case f.Status != "":
			index, prefix = bCaseStatus, lp(f.Status)
		case f.CustomerKey != "":
			index, prefix = bCaseCus, lp(f.CustomerKey)
		case f.Level != "":
			index, prefix = bCaseLevel, lp(string(f.Level))
		}
		match := func(c *screening.Case) bool {
			return (f.Status == "" || c.Status == f.Status) &&
				(f.Level == "" || c.Level == f.Level) &&
				(f.CustomerKey == "" || c.CustomerKey == f.CustomerKey)
		}
		var err error
		out, next, err = page(tx, index, bCase, prefix, f.Since, f.Cursor, f.Limit, match)
		return err
	})
	return out, next, err
}

// UpdateCase replaces the case if its stored version is expectVersion.
func (s *Store) UpdateCase(ctx context.Context, c *screening.Case, expectVersion int, audit screening.AuditRecord) error {
	if c == nil || c.ID == "" {
		return screening.Errorf(screening.EINVALID, "a case needs an id")
	}
	upd := *c
	upd.Version = expectVersion + 1
	data, err := json.Marshal(&upd)
	if err != nil {
		return fmt.Errorf("boltstore: encode case %s: %w", c.ID, err)
	}
	err = s.update(ctx, "update case "+c.ID, func(tx *bolt.Tx) error {
		cb := tx.Bucket(bCase)
		var old screening.Case
		found, err := getJSON(cb, []byte(c.ID), &old)
		if err != nil {
			return err
		}
		if !found {
			return screening.Errorf(screening.ENOTFOUND, "case %s not found", c.ID)
		}
		if old.Version != expectVersion {
			return screening.Errorf(screening.ECONFLICT, "case %s changed meanwhile (version %d, expected %d)", c.ID, old.Version, expectVersion)
		}
		for _, ik := range caseIndexKeys(&old) {
			if err := tx.Bucket(ik[0]).Delete(ik[1]); err != nil {
				return err
			}
		}
		if err := cb.Put([]byte(c.ID), data); err != nil {
			return err
		}
		if err := putCaseIndex(tx, &upd); err != nil {
			return err
		}
		_, err = s.appendAudit(tx, audit)
		return err
	})
	if err == nil {
		c.Version = upd.Version
	}
	return err
}
