package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// refField is the reference hash field of (keyID, reference); the length in
// front keeps "ab"+"c" and "a"+"bc" apart.
func refField(keyID, reference string) string {
	return strconv.Itoa(len(keyID)) + ":" + keyID + reference
}

// caseIndexes are the index keys a case is listed in, in a fixed order.
func (s *Store) caseIndexes(c *screening.Case) []string {
	return []string{
		s.k("case.at"),
		s.k("case.status", c.Status),
		s.k("case.level", string(c.Level)),
		s.k("case.cus", c.CustomerKey),
	}
}

// SaveScreening writes the screening, its case and the audit record in one
// script.
func (s *Store) SaveScreening(ctx context.Context, scr *screening.Screening, c *screening.Case, audit screening.AuditRecord) error {
	if scr == nil || scr.ID == "" {
		return screening.Errorf(screening.EINVALID, "a screening needs an id")
	}
	if c != nil && c.ID == "" {
		return screening.Errorf(screening.EINVALID, "a case needs an id")
	}
	op := "save screening " + scr.ID
	scrJSON, err := json.Marshal(scr)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	ref := ""
	if scr.Reference != "" {
		ref = refField(scr.KeyID, scr.Reference)
	}
	keys := []string{
		s.k("scr", scr.ID), s.k("scr.ref"), s.k("scr.at"),
		s.k("scr.key", scr.KeyID), s.k("scr.cus", scr.CustomerKey),
	}
	args := []any{scrJSON, ref, scr.ID, timeKey(scr.ScreenedAt) + scr.ID, "", 0, ""}
	if c != nil {
		caseJSON, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("redisstore: %s: %w", op, err)
		}
		keys = append(keys, s.k("case", c.ID), s.k("casev", c.ID))
		keys = append(keys, s.caseIndexes(c)...)
		args[4], args[5], args[6] = caseJSON, c.Version, timeKey(c.CreatedAt)+c.ID
	}
	_, reply, err := s.chained(ctx, op, saveScreeningScript, keys, args, audit)
	if err != nil {
		return err
	}
	if err := replyError(reply); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return nil
}

// Screening returns one screening by id.
func (s *Store) Screening(ctx context.Context, id string) (*screening.Screening, error) {
	if err := s.open("get screening"); err != nil {
		return nil, err
	}
	var out screening.Screening
	found, err := s.getJSON(ctx, s.k("scr", id), &out)
	if err != nil {
		return nil, s.fail("get screening", err)
	}
	if !found {
		return nil, screening.Errorf(screening.ENOTFOUND, "screening %s not found", id)
	}
	return &out, nil
}

// ScreeningByReference returns the screening keyID made with reference.
func (s *Store) ScreeningByReference(ctx context.Context, keyID, reference string) (*screening.Screening, error) {
	if err := s.open("get screening by reference"); err != nil {
		return nil, err
	}
	// Every screening with a reference asks this first: it goes in the
	// shared pipeline of the history look-ups (scriptbatch.go).
	var cmd *redis.StringCmd
	err := s.scripts.do(ctx, func(p redis.Pipeliner) { cmd = p.HGet(ctx, s.k("scr.ref"), refField(keyID, reference)) })
	var id string
	if err == nil {
		id, err = cmd.Result()
	}
	if errors.Is(err, redis.Nil) {
		return nil, screening.Errorf(screening.ENOTFOUND, "no screening with reference %q", reference)
	}
	if err != nil {
		return nil, s.fail("get screening by reference", err)
	}
	return s.Screening(ctx, id)
}

// ListScreenings returns screenings newest first, walking the most selective
// index (key, then customer, then all) and checking the other filter on the
// record.
func (s *Store) ListScreenings(ctx context.Context, f screening.ScreeningFilter) ([]*screening.Screening, string, error) {
	if err := s.open("list screenings"); err != nil {
		return nil, "", err
	}
	index := s.k("scr.at")
	var match func(*screening.Screening) bool
	switch {
	case f.KeyID != "":
		index = s.k("scr.key", f.KeyID)
		if f.CustomerKey != "" {
			match = func(x *screening.Screening) bool { return x.CustomerKey == f.CustomerKey }
		}
	case f.CustomerKey != "":
		index = s.k("scr.cus", f.CustomerKey)
	}
	out, next, err := page(ctx, s.c, index, f.Since, f.Cursor, f.Limit,
		func(id string) string { return s.k("scr", id) }, match)
	if err != nil {
		return nil, "", s.fail("list screenings", err)
	}
	return out, next, nil
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id string) (*screening.Case, error) {
	if err := s.open("get case"); err != nil {
		return nil, err
	}
	var out screening.Case
	found, err := s.getJSON(ctx, s.k("case", id), &out)
	if err != nil {
		return nil, s.fail("get case", err)
	}
	if !found {
		return nil, screening.Errorf(screening.ENOTFOUND, "case %s not found", id)
	}
	return &out, nil
}

// ListCases returns cases newest first (by CreatedAt, then id).
func (s *Store) ListCases(ctx context.Context, f screening.CaseFilter) ([]*screening.Case, string, error) {
	if err := s.open("list cases"); err != nil {
		return nil, "", err
	}
	index := s.k("case.at")
	switch {
	case f.Status != "":
		index = s.k("case.status", f.Status)
	case f.CustomerKey != "":
		index = s.k("case.cus", f.CustomerKey)
	case f.Level != "":
		index = s.k("case.level", string(f.Level))
	}
	var match func(*screening.Case) bool
	if (f.Status != "" && (f.Level != "" || f.CustomerKey != "")) || (f.CustomerKey != "" && f.Level != "") {
		match = func(c *screening.Case) bool {
			return (f.Status == "" || c.Status == f.Status) &&
				(f.Level == "" || c.Level == f.Level) &&
				(f.CustomerKey == "" || c.CustomerKey == f.CustomerKey)
		}
	}
	out, next, err := page(ctx, s.c, index, f.Since, f.Cursor, f.Limit,
		func(id string) string { return s.k("case", id) }, match)
	if err != nil {
		return nil, "", s.fail("list cases", err)
	}
	return out, next, nil
}

// UpdateCase replaces the case if its stored version is expectVersion. The
// current case is read first to know which index entries to move; the
// script then checks the version is still the one read.
func (s *Store) UpdateCase(ctx context.Context, c *screening.Case, expectVersion int, audit screening.AuditRecord) error {
	if c == nil || c.ID == "" {
		return screening.Errorf(screening.EINVALID, "a case needs an id")
	}
	op := "update case " + c.ID
	old, err := s.Case(ctx, c.ID)
	if err != nil {
		return err
	}
	if old.Version != expectVersion {
		return fmt.Errorf("redisstore: %s: %w", op, screening.Errorf(screening.ECONFLICT,
			"the case changed meanwhile (now version %d, expected %d)", old.Version, expectVersion))
	}
	upd := *c
	upd.Version = expectVersion + 1
	data, err := json.Marshal(&upd)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	keys := append([]string{s.k("case", c.ID), s.k("casev", c.ID)}, s.caseIndexes(old)...)
	keys = append(keys, s.caseIndexes(&upd)...)
	args := []any{expectVersion, upd.Version, data, timeKey(old.CreatedAt) + old.ID, timeKey(upd.CreatedAt) + upd.ID}
	_, reply, err := s.chained(ctx, op, updateCaseScript, keys, args, audit)
	if err != nil {
		return err
	}
	if err := replyError(reply); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	c.Version = upd.Version
	return nil
}
