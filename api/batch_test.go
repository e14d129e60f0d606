package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

func TestBatchEachInquiryGetsItsOwnOutcome(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleERP)
	var first screening.Result
	if resp := env.do("POST", "/v1/screenings", key, designInquiry("B-REPEAT"), &first); resp.StatusCode != 201 {
		t.Fatalf("seed: %d", resp.StatusCode)
	}
	conflicting := designInquiry("B-REPEAT")
	conflicting["end_use"] = "something else"
	body := map[string]any{"inquiries": []any{
		designInquiry("B-1"),      // 0: new
		designInquiry("B-REPEAT"), // 1: repeat of the seed
		conflicting,               // 2: same reference, other body
		map[string]any{"customer": map[string]any{"name": ""}, "items": []any{map[string]any{"product": "X", "quantity": -1}}}, // 3: invalid
		map[string]any{"customer": map[string]any{"nmae": "typo"}, "items": []any{}},                                           // 4: unknown field
		"not an object",      // 5
		designInquiry("B-2"), // 6: new
	}}
	var ans BatchAnswer
	if resp := env.do("POST", "/v1/screenings:batch", key, body, &ans); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(ans.Results) != 7 {
		t.Fatalf("%d results", len(ans.Results))
	}
	wantStatus := []int{201, 200, 409, 400, 400, 400, 201}
	for i, it := range ans.Results {
		if it.Index != i || it.Status != wantStatus[i] {
			t.Errorf("result %d: index %d status %d, want %d (%+v)", i, it.Index, it.Status, wantStatus[i], it.Error)
		}
		if (it.Result == nil) == (it.Error == nil) {
			t.Errorf("result %d must have exactly one of result and error", i)
		}
	}
	if ans.Results[1].Result.ID != first.ID {
		t.Errorf("repeat gave %s, want the first result %s", ans.Results[1].Result.ID, first.ID)
	}
	if f := ans.Results[3].Error.Fields; f["customer.name"] == "" || f["items[0].quantity"] == "" {
		t.Errorf("invalid inquiry fields %v", f)
	}
	if f := ans.Results[4].Error.Fields; f["customer.nmae"] != "unknown field" {
		t.Errorf("unknown field %v", f)
	}
	if ans.Results[2].Error.Code != screening.ECONFLICT {
		t.Errorf("conflict %+v", ans.Results[2].Error)
	}
	s := ans.Summary
	if s.Total != 7 || s.Created != 2 || s.Repeated != 1 || s.Failed != 4 || s.ByAction[string(first.Action)] < 1 {
		t.Errorf("summary %+v", s)
	}
	// What was screened is stored: the new ones read back.
	if resp := env.do("GET", "/v1/screenings/"+ans.Results[6].Result.ID, key, nil, nil); resp.StatusCode != 200 {
		t.Errorf("read back: %d", resp.StatusCode)
	}
}

func TestBatchLimits(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleSales)
	tests := []struct {
		name   string
		body   []byte
		status int
		field  string
	}{
		{"no inquiries", []byte(`{}`), 400, "inquiries"},
		{"empty", []byte(`{"inquiries":[]}`), 400, "inquiries"},
		{"not an array", []byte(`{"inquiries":{}}`), 400, "inquiries"},
		{"unknown field", []byte(`{"inquiries":[],"x":1}`), 400, "x"},
		{"too many", []byte(`{"inquiries":[` + strings.Repeat(`{},`, MaxBatchInquiries) + `{}]}`), 400, "inquiries"},
		{"over 16 MiB", bytes.Repeat([]byte(" "), MaxBatchBodyBytes+1), 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eb ErrorBody
			resp := env.do("POST", "/v1/screenings:batch", key, tt.body, &eb)
			if resp.StatusCode != tt.status || (tt.field != "" && eb.Error.Fields[tt.field] == "") {
				t.Fatalf("status %d fields %v, want %d naming %q", resp.StatusCode, eb.Error.Fields, tt.status, tt.field)
			}
		})
	}
}

// A batch may be larger than the 1 MiB every other route takes.
func TestBatchTakesMoreThanOneMebibyte(t *testing.T) {
	env := newTestEnv(t)
	key := env.key(screening.RoleSales)
	inqs := make([]any, 0, 300)
	for i := range 300 {
		inq := designInquiry(fmt.Sprintf("BIG-%d", i))
		inq["end_use"] = strings.Repeat("x", 3900) // about 4 KiB each
		inqs = append(inqs, inq)
	}
	raw, _ := json.Marshal(map[string]any{"inquiries": inqs})
	if len(raw) <= MaxBodyBytes {
		t.Fatalf("body %d bytes is not over 1 MiB", len(raw))
	}
	var ans BatchAnswer
	if resp := env.do("POST", "/v1/screenings:batch", key, raw, &ans); resp.StatusCode != 200 || ans.Summary.Created != 300 {
		t.Fatalf("status %d summary %+v", resp.StatusCode, ans.Summary)
	}
	// The single route keeps its 1 MiB limit.
	if resp := env.do("POST", "/v1/screenings", key, raw, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("single route with %d bytes: %d", len(raw), resp.StatusCode)
	}
}
