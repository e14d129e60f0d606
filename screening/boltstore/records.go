package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// PutSuppression stores (or replaces) a suppression with its audit record.
func (s *Store) PutSuppression(ctx context.Context, sup screening.Suppression, audit screening.AuditRecord) error {
	if sup.CounterpartyKey == "" || sup.EntryKey == "" {
		return screening.Errorf(screening.EINVALID, "a suppression needs a counterparty key and an entry key")
	}
	return s.update(ctx, "put suppression", func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bSuppression), cat(lp(sup.CounterpartyKey), []byte(sup.EntryKey)), &sup); err != nil {
			return err
		}
		_, err := s.appendAudit(tx, audit)
		return err
	})
}

// Suppressions returns the suppressions of one counterparty, by entry key.
func (s *Store) Suppressions(ctx context.Context, counterpartyKey string) ([]screening.Suppression, error) {
	var out []screening.Suppression
	err := s.viewNow(ctx, "list suppressions", func(tx *bolt.Tx) error {
		return walkAsc(tx.Bucket(bSuppression), lp(counterpartyKey), nil, func(_, v []byte) (bool, error) {
			var sup screening.Suppression
			if err := json.Unmarshal(v, &sup); err != nil {
				return false, fmt.Errorf("decode suppression: %w", err)
			}
			out = append(out, sup)
			return true, nil
		})
	})
	return out, err
}

// CreateKey stores a new API key; ECONFLICT when its id or hash exists.
func (s *Store) CreateKey(ctx context.Context, k *screening.APIKey, audit screening.AuditRecord) error {
	if k == nil || k.ID == "" || k.Hash == "" {
		return screening.Errorf(screening.EINVALID, "an API key needs an id and a hash")
	}
	return s.update(ctx, "create key "+k.ID, func(tx *bolt.Tx) error {
		kb, hb := tx.Bucket(bKey), tx.Bucket(bKeyHash)
		if kb.Get([]byte(k.ID)) != nil {
			return screening.Errorf(screening.ECONFLICT, "key %s exists", k.ID)
		}
		if hb.Get([]byte(k.Hash)) != nil {
			return screening.Errorf(screening.ECONFLICT, "a key with this secret exists")
		}
		if err := putJSON(kb, []byte(k.ID), k); err != nil {
			return err
		}
		if err := hb.Put([]byte(k.Hash), []byte(k.ID)); err != nil {
			return err
		}
		if err := tx.Bucket(bKeyAt).Put(cat(timeKey(k.CreatedAt), []byte(k.ID)), []byte{}); err != nil {
			return err
		}
		_, err := s.appendAudit(tx, audit)
		return err
	})
}

// KeyByHash finds a key by the hash of its secret.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*screening.APIKey, error) {
	var out screening.APIKey
	err := s.viewNow(ctx, "get key by hash", func(tx *bolt.Tx) error {
		id := tx.Bucket(bKeyHash).Get([]byte(hash))
		if id == nil {
			return screening.Errorf(screening.ENOTFOUND, "no key with this secret")
		}
		found, err := getJSON(tx.Bucket(bKey), id, &out)
		if err == nil && !found {
			return fmt.Errorf("hash index points at missing key %s", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Keys lists every key, oldest first (then by id).
func (s *Store) Keys(ctx context.Context) ([]*screening.APIKey, error) {
	var out []*screening.APIKey
	err := s.viewNow(ctx, "list keys", func(tx *bolt.Tx) error {
		return walkOldest(tx, bKeyAt, bKey, func(data []byte) error {
			var k screening.APIKey
			if err := json.Unmarshal(data, &k); err != nil {
				return fmt.Errorf("decode key: %w", err)
			}
			out = append(out, &k)
			return nil
		})
	})
	return out, err
}

// walkOldest walks a time+id index oldest first and hands fn each record.
func walkOldest(tx *bolt.Tx, index, records []byte, fn func(data []byte) error) error {
	rb := tx.Bucket(records)
	return walkAsc(tx.Bucket(index), nil, nil, func(rest, _ []byte) (bool, error) {
		data := rb.Get(rest[timeLen:])
		if data == nil {
			return false, fmt.Errorf("index points at missing record %q", rest[timeLen:])
		}
		return true, fn(data)
	})
}

// RevokeKey marks a key revoked; a key revoked before keeps its first time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time, audit screening.AuditRecord) error {
	return s.update(ctx, "revoke key "+id, func(tx *bolt.Tx) error {
		kb := tx.Bucket(bKey)
		var k screening.APIKey
		found, err := getJSON(kb, []byte(id), &k)
		if err != nil {
			return err
		}
		if !found {
			return screening.Errorf(screening.ENOTFOUND, "key %s not found", id)
		}
		if k.RevokedAt == nil {
			at := at.UTC()
			k.RevokedAt = &at
			if err := putJSON(kb, []byte(id), &k); err != nil {
				return err
			}
		}
		_, err = s.appendAudit(tx, audit)
		return err
	})
}

// CreateWebhook stores a webhook; ECONFLICT when its id exists.
func (s *Store) CreateWebhook(ctx context.Context, w *screening.Webhook, audit screening.AuditRecord) error {
	if w == nil || w.ID == "" {
		return screening.Errorf(screening.EINVALID, "a webhook needs an id")
	}
	return s.update(ctx, "create webhook "+w.ID, func(tx *bolt.Tx) error {
		wb := tx.Bucket(bWebhook)
		if wb.Get([]byte(w.ID)) != nil {
			return screening.Errorf(screening.ECONFLICT, "webhook %s exists", w.ID)
		}
		if err := putJSON(wb, []byte(w.ID), w); err != nil {
			return err
		}
		if err := tx.Bucket(bWebhookAt).Put(cat(timeKey(w.CreatedAt), []byte(w.ID)), []byte{}); err != nil {
			return err
		}
		_, err := s.appendAudit(tx, audit)
		return err
	})
}

// UpdateWebhook applies change to a stored webhook in one transaction.
func (s *Store) UpdateWebhook(ctx context.Context, id string, change func(*screening.Webhook) error, audit screening.AuditRecord) (*screening.Webhook, error) {
	var out screening.Webhook
	err := s.update(ctx, "update webhook "+id, func(tx *bolt.Tx) error {
		wb := tx.Bucket(bWebhook)
		out = screening.Webhook{}
		found, err := getJSON(wb, []byte(id), &out)
		if err != nil {
			return err
		}
		if !found {
			return screening.Errorf(screening.ENOTFOUND, "webhook %s not found", id)
		}
		if err := screening.ApplyWebhookChange(&out, change); err != nil {
			return err
		}
		if err := putJSON(wb, []byte(id), &out); err != nil {
			return err
		}
		_, err = s.appendAudit(tx, audit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Webhooks lists every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]*screening.Webhook, error) {
	var out []*screening.Webhook
	err := s.viewNow(ctx, "list webhooks", func(tx *bolt.Tx) error {
		return walkOldest(tx, bWebhookAt, bWebhook, func(data []byte) error {
			var w screening.Webhook
			if err := json.Unmarshal(data, &w); err != nil {
				return fmt.Errorf("decode webhook: %w", err)
			}
			out = append(out, &w)
			return nil
		})
	})
	return out, err
}

// Webhook returns one webhook.
func (s *Store) Webhook(ctx context.Context, id string) (*screening.Webhook, error) {
	var out screening.Webhook
	err := s.viewNow(ctx, "get webhook", func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bWebhook), []byte(id), &out)
		if err == nil && !found {
			return screening.Errorf(screening.ENOTFOUND, "webhook %s not found", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
