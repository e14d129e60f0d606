package redisstore

import (
	"context"
	"slices"
)

// rescreenBatch bounds the members of one SADD or SREM: a list change of a
// million entries is sent in pieces rather than as one huge command.
const rescreenBatch = 10_000

// AddRescreenPending adds items to the set of pending re-screenings.
func (s *Store) AddRescreenPending(ctx context.Context, items []string) error {
	const op = "add pending re-screening"
	if err := s.open(op); err != nil {
		return err
	}
	for chunk := range slices.Chunk(items, rescreenBatch) {
		if err := s.c.SAdd(ctx, s.k("rescreen.pending"), toAny(chunk)...).Err(); err != nil {
			return s.fail(op, err)
		}
	}
	return nil
}

// RescreenPending returns the pending items, sorted.
func (s *Store) RescreenPending(ctx context.Context) ([]string, error) {
	const op = "pending re-screening"
	if err := s.open(op); err != nil {
		return nil, err
	}
	keys, err := s.c.SMembers(ctx, s.k("rescreen.pending")).Result()
	if err != nil {
		return nil, s.fail(op, err)
	}
	slices.Sort(keys)
	return keys, nil
}

// RemoveRescreenPending removes items from the set.
func (s *Store) RemoveRescreenPending(ctx context.Context, items []string) error {
	const op = "remove pending re-screening"
	if err := s.open(op); err != nil {
		return err
	}
	for chunk := range slices.Chunk(items, rescreenBatch) {
		if err := s.c.SRem(ctx, s.k("rescreen.pending"), toAny(chunk)...).Err(); err != nil {
			return s.fail(op, err)
		}
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}
