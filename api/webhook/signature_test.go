package webhook_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api/webhook"
)

func TestVerify(t *testing.T) {
	const secret = "whsec_0123456789abcdef"
	body := []byte(`{"id":"evt_1_abc","type":"case.decided"}`)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	good := webhook.Sign(at, body, secret)
	otherSig := webhook.Sign(at, body, "another-secret-0123")
	both := webhook.Sign(at, body, secret, "another-secret-0123") // during a rotation that kept the old secret
	for _, tc := range []struct {
		name      string
		secret    string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{"valid", secret, good, body, at, 5 * time.Minute, nil},
		{"valid within tolerance late", secret, good, body, at.Add(4 * time.Minute), 5 * time.Minute, nil},
		{"valid within tolerance early (receiver clock behind)", secret, good, body, at.Add(-4 * time.Minute), 5 * time.Minute, nil},
		{"no tolerance check", secret, good, body, at.Add(48 * time.Hour), 0, nil},
		{"spaces around parts", secret, strings.ReplaceAll(good, ",", " , "), body, at, time.Minute, nil},
		{"second v1 matches (rotation)", secret, otherSig + "," + strings.Split(good, ",")[1], body, at, time.Minute, nil},
		{"signed with two secrets, new one known", secret, both, body, at, time.Minute, nil},
		{"signed with two secrets, old one known", "another-secret-0123", both, body, at, time.Minute, nil},
		{"signed with two secrets, neither known", "whsec_wrongwrongwrong", both, body, at, time.Minute, webhook.ErrMismatch},
		{"unknown scheme ignored", secret, good + ",v9=zzz", body, at, time.Minute, nil},
		{"body changed", secret, good, []byte(`{"id":"evt_1_abc","type":"case.decided "}`), at, time.Minute, webhook.ErrMismatch},
		{"wrong secret", "whsec_wrongwrongwrong", good, body, at, time.Minute, webhook.ErrMismatch},
		{"timestamp changed", secret, strings.Replace(good, fmt.Sprint(at.Unix()), fmt.Sprint(at.Unix()+1), 1), body, at, time.Minute, webhook.ErrMismatch},
		{"replayed too late", secret, good, body, at.Add(6 * time.Minute), 5 * time.Minute, webhook.ErrStale},
		{"from the future", secret, good, body, at.Add(-6 * time.Minute), 5 * time.Minute, webhook.ErrStale},
		{"missing", secret, "", body, at, time.Minute, webhook.ErrNoSignature},
		{"no v1", secret, fmt.Sprintf("t=%d", at.Unix()), body, at, time.Minute, webhook.ErrBadSignature},
		{"no t", secret, strings.Split(good, ",")[1], body, at, time.Minute, webhook.ErrBadSignature},
		{"two t", secret, fmt.Sprintf("t=%d,", at.Unix()) + good, body, at, time.Minute, webhook.ErrBadSignature},
		{"t not a number", secret, "t=soon,v1=" + strings.Split(good, "v1=")[1], body, at, time.Minute, webhook.ErrBadSignature},
		{"v1 not hex", secret, fmt.Sprintf("t=%d,v1=xyz", at.Unix()), body, at, time.Minute, webhook.ErrBadSignature},
		{"v1 too short", secret, fmt.Sprintf("t=%d,v1=abcd", at.Unix()), body, at, time.Minute, webhook.ErrBadSignature},
		{"not key=value", secret, "sha256 abcdef", body, at, time.Minute, webhook.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.header, tc.body, tc.now, tc.tolerance)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignFormat(t *testing.T) {
	// A fixed vector, so that receivers in other languages can test against it;
	// computed independently with
	//   printf '1795168800.{}' | openssl dgst -sha256 -hmac secret-0123456789
	got := webhook.Sign(time.Unix(1795168800, 0), []byte("{}"), "secret-0123456789")
	const want = "t=1795168800,v1=4ed3a63f6d611e176253180abc4752c295098034429cdbc4dd0056d717e546f5"
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	// While a rotated secret is kept, the new secret's MAC comes first.
	if got := webhook.Sign(time.Unix(1795168800, 0), []byte("{}"), "whsec_new-0123456789", "secret-0123456789"); !strings.HasSuffix(got, ","+strings.TrimPrefix(want, "t=1795168800,")) || strings.Count(got, "v1=") != 2 {
		t.Fatalf("Sign with two secrets = %q, want two v1 with the old one last", got)
	}
}

// FuzzParseSignature feeds arbitrary headers to Verify: it must never panic,
// and must accept a header only when it carries a valid MAC of the body.
func FuzzParseSignature(f *testing.F) {
	at := time.Unix(1795168800, 0)
	f.Add(webhook.Sign(at, []byte("{}"), "secret-0123456789"), []byte("{}"))
	f.Add("t=1,v1=00", []byte(""))
	f.Add("t=,v1=,=,", []byte("x"))
	f.Add(",,,", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := webhook.Verify("secret-0123456789", header, body, at, 0)
		if err == nil && !strings.Contains(header, "v1=") {
			t.Fatalf("accepted %q without a v1 MAC", header)
		}
		// Signing what was given always verifies.
		if err := webhook.Verify("secret-0123456789", webhook.Sign(at, body, "secret-0123456789"), body, at, time.Minute); err != nil {
			t.Fatalf("own signature of %q refused: %v", body, err)
		}
	})
}
