package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

// FuzzParseInquiry feeds arbitrary bodies to the strict decoder and the
// inquiry's validation, as POST /v1/screenings does. It must never panic; a
// refusal is an EINVALID error that names at least one field; an accepted
// inquiry survives a round trip unchanged (validation is idempotent).
//
//	go test -run XXX -fuzz FuzzParseInquiry -fuzztime 2000x ./api/
func FuzzParseInquiry(f *testing.F) {
	design, _ := json.Marshal(designInquiry("INQ-2026-0042"))
	for _, seed := range []string{
		string(design),
		`{"customer":{"name":"株式会社山田精機","country":"jp"},"items":[{"product":"MC-5X200","quantity":1,"specs":{"axes":5}}],"end_use":"学校教育用"}`,
		`{"customer":{"name":"X"},"items":[{"description":"pump","quantity":"2"}]}`,
		`{"customer":{"name":"X"},"items":[{"product":"P","quantity":1,"specs":{"a":[[[]]]}}]}`,
		`{"customer":{"name":"=cmd|' /C calc'!A0"},"items":[{"product":"P","quantity":1}]}`,
		`{"customer":{"name":"X","website":"javascript:alert(1)"},"items":[]}`,
		`{"customer":{"name":"X"},"items":[{"product":"P","quantity":1e400}]}`,
		`{"customer":null,"items":null,"received_at":"yesterday"}`,
		"{\"customer\":{\"name\":\"\xff\"}}",
		`[` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `]`,
		``,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var inq screening.Inquiry
		err := unmarshalStrict(body, &inq)
		if err == nil {
			err = inq.Validate()
		}
		if err != nil {
			var e *screening.Error
			if !errors.As(err, &e) || e.Code != screening.EINVALID {
				t.Fatalf("refusal is not EINVALID: %v", err)
			}
			if len(e.Fields) == 0 {
				t.Fatalf("refusal names no field: %v", err)
			}
			for field, why := range e.Fields {
				if field == "" || why == "" {
					t.Fatalf("refusal with an empty field or reason: %q: %q", field, why)
				}
			}
			return
		}
		once, err := json.Marshal(&inq)
		if err != nil {
			t.Fatalf("accepted inquiry does not encode: %v", err)
		}
		var again screening.Inquiry
		if err := unmarshalStrict(once, &again); err != nil {
			t.Fatalf("accepted inquiry, encoded, is refused: %v\n%s", err, once)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("accepted inquiry, encoded, fails validation: %v\n%s", err, once)
		}
		twice, _ := json.Marshal(&again)
		if !bytes.Equal(once, twice) {
			t.Fatalf("validation is not idempotent:\n%s\n%s", once, twice)
		}
	})
}
