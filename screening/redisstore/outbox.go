package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// A delivery's NextAt lives in a hash of its own (and, while pending, as its
// score in the due set), so that a claim moves it without rewriting the
// record's JSON inside a script; reads put it back into the record.

func (s *Store) deliveryKey(id string) string { return s.k("dlv", id) }

func hookMember(d *screening.Delivery) string { return timeKey(d.CreatedAt) + d.ID }

func pendingFlag(d *screening.Delivery) string { return flag(d.Status == screening.DeliveryPending) }

func formatNext(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// EnqueueDeliveries adds the deliveries not there yet and sets the cursor,
// in one script.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds []screening.Delivery, cursor uint64) error {
	const op = "enqueue deliveries"
	if err := s.open(op); err != nil {
		return err
	}
	keys := []string{s.k("outbox.cursor"), s.k("dlv.due"), s.k("dlv.next")}
	args := []any{strconv.FormatUint(cursor, 10)}
	for i := range ds {
		d := &ds[i]
		if d.ID == "" {
			return screening.Errorf(screening.EINVALID, "delivery %d has no id", i)
		}
		data, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("redisstore: %s: encode %s: %w", op, d.ID, err)
		}
		keys = append(keys, s.deliveryKey(d.ID), s.k("dlv.hook", d.WebhookID))
		args = append(args, data, d.ID, pendingFlag(d), score(d.NextAt), formatNext(d.NextAt), hookMember(d))
	}
	return s.fail(op, enqueueScript.Run(ctx, s.c, keys, args...).Err())
}

// OutboxCursor returns the audit sequence the dispatcher has read up to.
func (s *Store) OutboxCursor(ctx context.Context) (uint64, error) {
	const op = "outbox cursor"
	if err := s.open(op); err != nil {
		return 0, err
	}
	v, err := s.c.Get(ctx, s.k("outbox.cursor")).Uint64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return v, s.fail(op, err)
}

// loadDeliveries reads deliveries by id with their current NextAt.
func (s *Store) loadDeliveries(ctx context.Context, ids []string) ([]screening.Delivery, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.deliveryKey(id)
	}
	recs, err := loadAll[screening.Delivery](ctx, s.c, keys)
	if err != nil {
		return nil, err
	}
	next, err := s.c.HMGet(ctx, s.k("dlv.next"), ids...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]screening.Delivery, len(recs))
	for i, r := range recs {
		out[i] = *r
		if str, ok := next[i].(string); ok {
			t, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				return nil, fmt.Errorf("delivery %s: NextAt %q: %w", ids[i], str, err)
			}
			out[i].NextAt = t
		}
	}
	return out, nil
}

// ClaimDeliveries takes up to limit due pending deliveries, earliest due
// first, and moves them to now+lease in one script. Times are compared in
// whole microseconds.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]screening.Delivery, error) {
	const op = "claim deliveries"
	if err := s.open(op); err != nil {
		return nil, err
	}
	until := now.Add(lease)
	ids, err := claimScript.Run(ctx, s.c, []string{s.k("dlv.due"), s.k("dlv.next")},
		score(now), pageSize(limit), score(until), formatNext(until)).StringSlice()
	if err != nil {
		return nil, s.fail(op, err)
	}
	out, err := s.loadDeliveries(ctx, ids)
	return out, s.fail(op, err)
}

// UpdateDelivery stores a delivery's new state.
func (s *Store) UpdateDelivery(ctx context.Context, d *screening.Delivery) error {
	if d == nil || d.ID == "" {
		return screening.Errorf(screening.EINVALID, "a delivery needs an id")
	}
	op := "update delivery " + d.ID
	if err := s.open(op); err != nil {
		return err
	}
	var old screening.Delivery
	found, err := s.getJSON(ctx, s.deliveryKey(d.ID), &old)
	if err != nil {
		return s.fail(op, err)
	}
	if !found {
		return screening.Errorf(screening.ENOTFOUND, "delivery %s not found", d.ID)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	status, err := updateDeliveryScript.Run(ctx, s.c,
		[]string{s.deliveryKey(d.ID), s.k("dlv.due"), s.k("dlv.next"), s.k("dlv.hook", old.WebhookID), s.k("dlv.hook", d.WebhookID)},
		data, d.ID, pendingFlag(d), score(d.NextAt), formatNext(d.NextAt), hookMember(&old), hookMember(d)).Text()
	if err != nil {
		return s.fail(op, err)
	}
	if status == "notfound" {
		return screening.Errorf(screening.ENOTFOUND, "delivery %s not found", d.ID)
	}
	return nil
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID string, limit int) ([]screening.Delivery, error) {
	const op = "list deliveries"
	if err := s.open(op); err != nil {
		return nil, err
	}
	members, err := s.c.ZRevRangeByLex(ctx, s.k("dlv.hook", webhookID),
		&redis.ZRangeBy{Max: "+", Min: "-", Count: int64(pageSize(limit))}).Result()
	if err != nil {
		return nil, s.fail(op, err)
	}
	ids := make([]string, len(members))
	for i, m := range members {
		if len(m) <= timeKeyLen {
			return nil, fmt.Errorf("redisstore: %s: malformed index member %q", op, m)
		}
		ids[i] = m[timeKeyLen:]
	}
	out, err := s.loadDeliveries(ctx, ids)
	return out, s.fail(op, err)
}
