package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

var outboxCursor = []byte("outbox_cursor")

func dueKey(d *screening.Delivery) []byte { return cat(timeKey(d.NextAt), []byte(d.ID)) }

func hookKey(d *screening.Delivery) []byte {
	return cat(lp(d.WebhookID), timeKey(d.CreatedAt), []byte(d.ID))
}

// putDelivery writes d and its index entries; old (nil for a new delivery)
// is what was stored before, whose index entries go.
func putDelivery(tx *bolt.Tx, d, old *screening.Delivery) error {
	due, hooks := tx.Bucket(bDeliveryDue), tx.Bucket(bDeliveryHook)
	if old != nil {
		if err := due.Delete(dueKey(old)); err != nil {
			return err
		}
		if err := hooks.Delete(hookKey(old)); err != nil {
			return err
		}
	}
	if err := putJSON(tx.Bucket(bDelivery), []byte(d.ID), d); err != nil {
		return err
	}
	if d.Status == screening.DeliveryPending {
		if err := due.Put(dueKey(d), []byte{}); err != nil {
			return err
		}
	}
	return hooks.Put(hookKey(d), []byte{})
}

// EnqueueDeliveries adds the deliveries not there yet and sets the cursor,
// in one transaction.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds []screening.Delivery, cursor uint64) error {
	for i := range ds {
		if ds[i].ID == "" {
			return screening.Errorf(screening.EINVALID, "delivery %d has no id", i)
		}
	}
	return s.updateNow(ctx, "enqueue deliveries", func(tx *bolt.Tx) error {
		db := tx.Bucket(bDelivery)
		for i := range ds {
			if db.Get([]byte(ds[i].ID)) != nil {
				continue
			}
			if err := putDelivery(tx, &ds[i], nil); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(outboxCursor, u64(cursor))
	})
}

// OutboxCursor returns the audit sequence the dispatcher has read up to.
func (s *Store) OutboxCursor(ctx context.Context) (uint64, error) {
	var cur uint64
	err := s.viewNow(ctx, "outbox cursor", func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(outboxCursor); len(v) == 8 {
			cur = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return cur, err
}

// ClaimDeliveries takes up to limit due pending deliveries, earliest due
// first, and moves their NextAt to now+lease in the same transaction.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]screening.Delivery, error) {
	limit = pageSize(limit)
	var out []screening.Delivery
	err := s.updateNow(ctx, "claim deliveries", func(tx *bolt.Tx) error {
		out = nil
		db := tx.Bucket(bDelivery)
		until := timeKey(now)
		var ids [][]byte
		err := walkAsc(tx.Bucket(bDeliveryDue), nil, nil, func(rest, _ []byte) (bool, error) {
			if bytes.Compare(rest[:timeLen], until) > 0 {
				return false, nil
			}
			ids = append(ids, bytes.Clone(rest[timeLen:]))
			return len(ids) < limit, nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids { // the walk is over: the bucket may change now
			var d screening.Delivery
			if _, err := getJSON(db, id, &d); err != nil {
				return err
			}
			old := d
			d.NextAt = now.Add(lease).UTC()
			if err := putDelivery(tx, &d, &old); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateDelivery stores a delivery's new state.
func (s *Store) UpdateDelivery(ctx context.Context, d *screening.Delivery) error {
	if d == nil || d.ID == "" {
		return screening.Errorf(screening.EINVALID, "a delivery needs an id")
	}
	return s.updateNow(ctx, "update delivery "+d.ID, func(tx *bolt.Tx) error {
		var old screening.Delivery
		found, err := getJSON(tx.Bucket(bDelivery), []byte(d.ID), &old)
		if err != nil {
			return err
		}
		if !found {
			return screening.Errorf(screening.ENOTFOUND, "delivery %s not found", d.ID)
		}
		return putDelivery(tx, d, &old)
	})
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID string, limit int) ([]screening.Delivery, error) {
	limit = pageSize(limit)
	var out []screening.Delivery
	err := s.viewNow(ctx, "list deliveries", func(tx *bolt.Tx) error {
		db := tx.Bucket(bDelivery)
		return walkDesc(tx.Bucket(bDeliveryHook), lp(webhookID), nil, nil, func(rest, _ []byte) (bool, error) {
			var d screening.Delivery
			found, err := getJSON(db, rest[timeLen:], &d)
			if err != nil {
				return false, err
			}
			if !found {
				return false, fmt.Errorf("index points at missing delivery %q", rest[timeLen:])
			}
			out = append(out, d)
			return len(out) < limit, nil
		})
	})
	return out, err
}
