// Package webhook delivers Hikiai events to ERP endpoints: a dispatcher tails
// the audit log into a durable outbox, workers post each delivery signed with
// the webhook's secret and retry with back-off, and Verify lets a receiver
// check a delivery. Delivery is at least once; the event id in the payload and
// in the Hikiai-Event-Id header lets a receiver drop repeats, which makes it
// exactly once from the receiver's point of view.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of every delivery.
const (
	// HeaderSignature is "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
	// The timestamp is signed too, so a captured delivery cannot be replayed
	// later than the receiver's tolerance.
	HeaderSignature = "Hikiai-Signature"
	// HeaderEventID is the idempotency id; the same as "id" in the payload.
	HeaderEventID = "Hikiai-Event-Id"
	// HeaderEvent is the event type (screening.completed, ...).
	HeaderEvent = "Hikiai-Event"
	// HeaderDelivery names the outbox entry (webhook id and event id), for support.
	HeaderDelivery = "Hikiai-Delivery-Id"
)

// Errors Verify returns; a receiver answers all of them with 400 or 401.
var (
	ErrNoSignature  = errors.New("webhook: no signature header")
	ErrBadSignature = errors.New("webhook: malformed signature header")
	ErrStale        = errors.New("webhook: signature timestamp outside the tolerance")
	ErrMismatch     = errors.New("webhook: signature does not match the body")
)

// Sign returns the Hikiai-Signature header value for body sent at t, with
// one v1 per secret (two while a rotated secret is kept: a receiver that
// knows either accepts the delivery).
func Sign(t time.Time, body []byte, secrets ...string) string {
	ts := t.Unix()
	var b strings.Builder
	fmt.Fprintf(&b, "t=%d", ts)
	for _, secret := range secrets {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(mac(secret, ts, body)))
	}
	return b.String()
}

func mac(secret string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery: header is the Hikiai-Signature value, body the raw
// request body, now the receiver's clock. The timestamp must lie within
// tolerance of now (either side, for clock skew); tolerance 0 skips that check.
// Any of several v1 values may match (room for a secret rotation), and unknown
// schemes are ignored so that a later v2 does not break old receivers.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrNoSignature
	}
	var (
		ts     int64
		haveTS bool
		sigs   [][]byte
	)
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q is not key=value", ErrBadSignature, part)
		}
		switch k {
		case "t":
			if haveTS {
				return fmt.Errorf("%w: more than one timestamp", ErrBadSignature)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%w: timestamp %q is not unix seconds", ErrBadSignature, v)
			}
			ts, haveTS = n, true
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrBadSignature)
			}
			sigs = append(sigs, sig)
		}
	}
	if !haveTS || len(sigs) == 0 {
		return fmt.Errorf("%w: needs t= and v1=", ErrBadSignature)
	}
	if tolerance > 0 {
		skew := now.Sub(time.Unix(ts, 0))
		if skew > tolerance || skew < -tolerance {
			return fmt.Errorf("%w: signed at %s, %s from now", ErrStale, time.Unix(ts, 0).UTC().Format(time.RFC3339), skew.Round(time.Second))
		}
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrMismatch
}
