package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// auditPage is GET /v1/audit: records in sequence order; pass NextAfter as
// ?after= for the next page (absent on the last page).
type auditPage struct {
	Items     []screening.AuditRecord `json:"items"`
	NextAfter uint64                  `json:"next_after,omitempty"`
}

// listAudit is GET /v1/audit?since=&kind=&after=&limit= (admin). There is no
// route that changes a record: the trail is append-only through the API.
func (s *Server) listAudit(c *gin.Context) {
	f, err := auditFilterFrom(c.Request.URL.Query(), 100, 1000)
	if err != nil {
		fail(c, err)
		return
	}
	recs, err := s.store.Audit(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	page := auditPage{Items: recs}
	if page.Items == nil {
		page.Items = []screening.AuditRecord{}
	}
	if len(recs) == f.Limit {
		page.NextAfter = recs[len(recs)-1].Seq
	}
	c.JSON(http.StatusOK, page)
}

// auditFilterFrom reads since, kind, after and limit, naming the bad one.
func auditFilterFrom(q url.Values, defLimit, maxLimit int) (screening.AuditFilter, error) {
	f := screening.AuditFilter{Limit: defLimit, Kind: q.Get("kind")}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			return f, invalid("limit", "must be a whole number from 1 to "+strconv.Itoa(maxLimit))
		}
		f.Limit = n
	}
	if raw := q.Get("after"); raw != "" {
		n, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return f, invalid("after", "must be an audit sequence number")
		}
		f.AfterSeq = n
	}
	if raw := q.Get("since"); raw != "" {
		t, err := ParseSince(raw)
		if err != nil {
			return f, invalid("since", err.Error())
		}
		f.Since = t
	}
	if f.Kind != "" && (len(f.Kind) > 40 || strings.ContainsFunc(f.Kind, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' })) {
		return f, invalid("kind", "must be a record kind such as screening, decision, suppression, key, list_import, webhook, rescreen, rescreen_held")
	}
	return f, nil
}

// ParseSince accepts an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func ParseSince(raw string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("must be an RFC 3339 time or a date like 2026-11-01")
}

// AuditReport is what a check of the whole audit chain found.
type AuditReport struct {
	Records  int    `json:"records"`
	LastSeq  uint64 `json:"last_seq"`
	LastHash string `json:"last_hash,omitempty"`
	// BrokenSeq is the first record that does not verify (0: the chain is
	// intact), and Problem says why.
	BrokenSeq uint64 `json:"broken_seq,omitempty"`
	Problem   string `json:"problem,omitempty"`
}

// auditVerifyPage is how many records one store read fetches while verifying.
const auditVerifyPage = 1000

// VerifyAuditChain reads the whole chain of st page by page and checks every
// link. A broken chain is a report, not an error; errors are read failures.
func VerifyAuditChain(ctx context.Context, st screening.Store) (*AuditReport, error) {
	rep := &AuditReport{}
	var prev *screening.AuditRecord
	for {
		f := screening.AuditFilter{Limit: auditVerifyPage}
		if prev != nil {
			f.AfterSeq = prev.Seq
		}
		recs, err := st.Audit(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("read audit after %d: %w", f.AfterSeq, err)
		}
		for i := range recs {
			// One link at a time, so that the report names the position where the
			// chain breaks even when the broken record's own seq was edited.
			if _, err := screening.VerifyChain(prev, recs[i:i+1]); err != nil {
				rep.BrokenSeq, rep.Problem = uint64(rep.Records)+1, err.Error()
				return rep, nil
			}
			prev = &recs[i]
			rep.Records++
			rep.LastSeq, rep.LastHash = prev.Seq, prev.Hash
		}
		if len(recs) < auditVerifyPage {
			return rep, nil
		}
	}
}

// AuditRecords returns records matching f in sequence order (at most 1000).
func (a *LocalAdmin) AuditRecords(ctx context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	return a.Store.Audit(ctx, f)
}

// VerifyAudit checks the whole chain on the store.
func (a *LocalAdmin) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	return VerifyAuditChain(ctx, a.Store)
}

// registerAuditAdmin adds the audit operations to the admin socket. Records
// travel without HTML escaping so that their data keeps the bytes the hash
// was computed over.
func registerAuditAdmin(mux *http.ServeMux, a Admin) {
	mux.HandleFunc("GET /audit", func(w http.ResponseWriter, r *http.Request) {
		f, err := auditFilterFrom(r.URL.Query(), 1000, 1000)
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		recs, err := a.AuditRecords(r.Context(), f)
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(recs)
	})
	mux.HandleFunc("POST /audit/verify", func(w http.ResponseWriter, r *http.Request) {
		rep, err := a.VerifyAudit(r.Context())
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, rep)
	})
}

// AuditRecords asks the server for records matching f.
func (ac *AdminClient) AuditRecords(ctx context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error) {
	q := url.Values{}
	if f.AfterSeq > 0 {
		q.Set("after", strconv.FormatUint(f.AfterSeq, 10))
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.UTC().Format(time.RFC3339Nano))
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(min(f.Limit, 1000)))
	}
	var out []screening.AuditRecord
	err := ac.call(ctx, http.MethodGet, "/audit?"+q.Encode(), nil, &out)
	return out, err
}

// VerifyAudit asks the server to check the chain.
func (ac *AdminClient) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	var out AuditReport
	if err := ac.call(ctx, http.MethodPost, "/audit/verify", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WriteAuditJSONL writes one record per line exactly as stored (no HTML
// escaping), so that an export can be verified again record by record.
func WriteAuditJSONL(w io.Writer, recs []screening.AuditRecord) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}
