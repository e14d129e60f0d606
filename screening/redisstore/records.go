package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// PutSuppression stores (or replaces) a suppression with its audit record.
func (s *Store) PutSuppression(ctx context.Context, sup screening.Suppression, audit screening.AuditRecord) error {
	if sup.CounterpartyKey == "" || sup.EntryKey == "" {
		return screening.Errorf(screening.EINVALID, "a suppression needs a counterparty key and an entry key")
	}
	const op = "put suppression"
	data, err := json.Marshal(&sup)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	_, reply, err := s.chained(ctx, op, putSuppressionScript, []string{s.k("sup", sup.CounterpartyKey)}, []any{sup.EntryKey, data}, audit)
	if err != nil {
		return err
	}
	return replyError(reply)
}

// Suppressions returns the suppressions of one counterparty, by entry key.
func (s *Store) Suppressions(ctx context.Context, counterpartyKey string) ([]screening.Suppression, error) {
	const op = "list suppressions"
	if err := s.open(op); err != nil {
		return nil, err
	}
	all, err := s.c.HGetAll(ctx, s.k("sup", counterpartyKey)).Result()
	if err != nil {
		return nil, s.fail(op, err)
	}
	entryKeys := make([]string, 0, len(all))
	for k := range all {
		entryKeys = append(entryKeys, k)
	}
	sort.Strings(entryKeys)
	out := make([]screening.Suppression, 0, len(all))
	for _, k := range entryKeys {
		var sup screening.Suppression
		if err := json.Unmarshal([]byte(all[k]), &sup); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode %q: %w", op, k, err)
		}
		out = append(out, sup)
	}
	return out, nil
}

// CreateKey stores a new API key; ECONFLICT when its id or hash exists.
func (s *Store) CreateKey(ctx context.Context, k *screening.APIKey, audit screening.AuditRecord) error {
	if k == nil || k.ID == "" || k.Hash == "" {
		return screening.Errorf(screening.EINVALID, "an API key needs an id and a hash")
	}
	op := "create key " + k.ID
	data, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	_, reply, err := s.chained(ctx, op, createKeyScript,
		[]string{s.k("key", k.ID), s.k("key.hash"), s.k("key.at")},
		[]any{data, k.Hash, k.ID, timeKey(k.CreatedAt) + k.ID}, audit)
	if err != nil {
		return err
	}
	if err := replyError(reply); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return nil
}

// KeyByHash finds a key by the hash of its secret.
func (s *Store) KeyByHash(ctx context.Context, hash string) (*screening.APIKey, error) {
	const op = "get key by hash"
	if err := s.open(op); err != nil {
		return nil, err
	}
	id, err := s.c.HGet(ctx, s.k("key.hash"), hash).Result()
	if errors.Is(err, redis.Nil) {
		return nil, screening.Errorf(screening.ENOTFOUND, "no key with this secret")
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	var k screening.APIKey
	found, err := s.getJSON(ctx, s.k("key", id), &k)
	if err != nil {
		return nil, s.fail(op, err)
	}
	if !found {
		return nil, fmt.Errorf("redisstore: %s: hash index points at missing key %s", op, id)
	}
	return &k, nil
}

// oldestFirst reads every record of a lex time index, oldest first.
func oldestFirst[T any](ctx context.Context, s *Store, index string, key func(id string) string) ([]*T, error) {
	members, err := s.c.ZRangeByLex(ctx, index, &redis.ZRangeBy{Min: "-", Max: "+"}).Result()
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(members))
	for i, m := range members {
		if len(m) <= timeKeyLen {
			return nil, fmt.Errorf("index %s has a malformed member %q", index, m)
		}
		keys[i] = key(m[timeKeyLen:])
	}
	return loadAll[T](ctx, s.c, keys)
}

// Keys lists every key, oldest first (then by id).
func (s *Store) Keys(ctx context.Context) ([]*screening.APIKey, error) {
	const op = "list keys"
	if err := s.open(op); err != nil {
		return nil, err
	}
	out, err := oldestFirst[screening.APIKey](ctx, s, s.k("key.at"), func(id string) string { return s.k("key", id) })
	return out, s.fail(op, err)
}

// RevokeKey marks a key revoked; a key revoked before keeps its first time.
// The script writes only if the key is still as read (else it reads again).
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time, audit screening.AuditRecord) error {
	op := "revoke key " + id
	if err := s.open(op); err != nil {
		return err
	}
	for range maxChainRetries {
		old, err := s.c.Get(ctx, s.k("key", id)).Result()
		if errors.Is(err, redis.Nil) {
			return screening.Errorf(screening.ENOTFOUND, "key %s not found", id)
		}
		if err != nil {
			return s.fail(op, err)
		}
		var k screening.APIKey
		if err := json.Unmarshal([]byte(old), &k); err != nil {
			return fmt.Errorf("redisstore: %s: decode: %w", op, err)
		}
		updated := []byte(old)
		if k.RevokedAt == nil {
			at := at.UTC()
			k.RevokedAt = &at
			if updated, err = json.Marshal(&k); err != nil {
				return fmt.Errorf("redisstore: %s: %w", op, err)
			}
		}
		_, reply, err := s.chained(ctx, op, revokeKeyScript, []string{s.k("key", id)}, []any{old, updated}, audit)
		if err != nil {
			return err
		}
		if status, _ := reply[0].(string); status == "retry" {
			continue
		}
		if err := replyError(reply); err != nil {
			return fmt.Errorf("redisstore: %s: %w", op, err)
		}
		return nil
	}
	return fmt.Errorf("redisstore: %s: the key kept changing", op)
}

// CreateWebhook stores a webhook; ECONFLICT when its id exists.
func (s *Store) CreateWebhook(ctx context.Context, w *screening.Webhook, audit screening.AuditRecord) error {
	if w == nil || w.ID == "" {
		return screening.Errorf(screening.EINVALID, "a webhook needs an id")
	}
	op := "create webhook " + w.ID
	data, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	_, reply, err := s.chained(ctx, op, createWebhookScript, []string{s.k("wh", w.ID), s.k("wh.at")},
		[]any{data, timeKey(w.CreatedAt) + w.ID, w.ID}, audit)
	if err != nil {
		return err
	}
	if err := replyError(reply); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return nil
}

// UpdateWebhook applies change to a stored webhook: read, change, and a
// compare-and-set with the audit record, again when another update came
// between.
func (s *Store) UpdateWebhook(ctx context.Context, id string, change func(*screening.Webhook) error, audit screening.AuditRecord) (*screening.Webhook, error) {
	op := "update webhook " + id
	if err := s.open(op); err != nil {
		return nil, err
	}
	for range maxChainRetries {
		old, err := s.c.Get(ctx, s.k("wh", id)).Result()
		if errors.Is(err, redis.Nil) {
			return nil, screening.Errorf(screening.ENOTFOUND, "webhook %s not found", id)
		}
		if err != nil {
			return nil, s.fail(op, err)
		}
		var w screening.Webhook
		if err := json.Unmarshal([]byte(old), &w); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode: %w", op, err)
		}
		if err := screening.ApplyWebhookChange(&w, change); err != nil {
			return nil, err
		}
		updated, err := json.Marshal(&w)
		if err != nil {
			return nil, fmt.Errorf("redisstore: %s: %w", op, err)
		}
		_, reply, err := s.chained(ctx, op, updateWebhookScript, []string{s.k("wh", id)}, []any{old, updated}, audit)
		if err != nil {
			return nil, err
		}
		if status, _ := reply[0].(string); status == "retry" {
			continue
		}
		if err := replyError(reply); err != nil {
			return nil, fmt.Errorf("redisstore: %s: %w", op, err)
		}
		return &w, nil
	}
	return nil, fmt.Errorf("redisstore: %s: the webhook kept changing", op)
}

// Webhooks lists every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]*screening.Webhook, error) {
	const op = "list webhooks"
	if err := s.open(op); err != nil {
		return nil, err
	}
	out, err := oldestFirst[screening.Webhook](ctx, s, s.k("wh.at"), func(id string) string { return s.k("wh", id) })
	return out, s.fail(op, err)
}

// Webhook returns one webhook.
func (s *Store) Webhook(ctx context.Context, id string) (*screening.Webhook, error) {
	const op = "get webhook"
	if err := s.open(op); err != nil {
		return nil, err
	}
	var w screening.Webhook
	found, err := s.getJSON(ctx, s.k("wh", id), &w)
	if err != nil {
		return nil, s.fail(op, err)
	}
	if !found {
		return nil, screening.Errorf(screening.ENOTFOUND, "webhook %s not found", id)
	}
	return &w, nil
}

// AppendAudit appends a record on its own and returns it sealed.
func (s *Store) AppendAudit(ctx context.Context, rec screening.AuditRecord) (screening.AuditRecord, error) {
	sealed, reply, err := s.chained(ctx, "append audit", appendAuditScript, nil, nil, rec)
	if err != nil {
		return rec, err
	}
	return sealed, replyError(reply)
}

// auditPage is how many records Audit reads per round trip.
const auditPage = 1000

// Audit returns records in sequence order matching f.
func (s *Store) Audit(ctx context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error) {
	const op = "read audit"
	if err := s.open(op); err != nil {
		return nil, err
	}
	var out []screening.AuditRecord
	lo := "(" + strconv.FormatUint(f.AfterSeq, 10)
	for {
		recs, err := s.c.ZRangeByScore(ctx, s.k("audit"), &redis.ZRangeBy{Min: lo, Max: "+inf", Count: auditPage}).Result()
		if err != nil {
			return nil, s.fail(op, err)
		}
		for _, raw := range recs {
			var r storedAudit
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return nil, fmt.Errorf("redisstore: %s: decode: %w", op, err)
			}
			lo = "(" + strconv.FormatUint(r.Seq, 10)
			if (f.Kind != "" && r.Kind != f.Kind) || (!f.Since.IsZero() && r.At.Before(f.Since)) {
				continue
			}
			out = append(out, r.record())
			if f.Limit > 0 && len(out) == f.Limit {
				return out, nil
			}
		}
		if len(recs) < auditPage {
			return out, nil
		}
	}
}
