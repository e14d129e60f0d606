package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

const (
	// MaxBatchInquiries is the most inquiries one POST /v1/screenings:batch takes.
	MaxBatchInquiries = 1000
	// MaxBatchBodyBytes caps the body of a batch: 1,000 inquiries of the size a
	// single screening may have would not fit, but 16 KiB per inquiry is far more
	// than real inquiries use.
	MaxBatchBodyBytes = 16 << 20
	// batchWorkers is how many inquiries of one batch are screened at once; the
	// embedded store groups their commits, so a few in flight share one fsync.
	batchWorkers = 8
)

// batchRequest is the body of POST /v1/screenings:batch. Inquiries stay raw so
// that one malformed inquiry gets its own error instead of failing the batch.
type batchRequest struct {
	Inquiries []json.RawMessage `json:"inquiries"`
}

// BatchItem is the outcome of one inquiry of a batch: its index in the request,
// the status it would have had on its own (201, 200, 400, 409, 503, ...), and
// its result or error.
type BatchItem struct {
	Index  int               `json:"index"`
	Status int               `json:"status"`
	Result *screening.Result `json:"result,omitempty"`
	Error  *ErrorDetail      `json:"error,omitempty"`
}

// BatchSummary counts the outcomes of a batch.
type BatchSummary struct {
	Total    int            `json:"total"`
	Created  int            `json:"created"`
	Repeated int            `json:"repeated"`
	Failed   int            `json:"failed"`
	ByAction map[string]int `json:"by_action"`
}

// BatchAnswer is the 200 answer of POST /v1/screenings:batch.
type BatchAnswer struct {
	Results []BatchItem  `json:"results"`
	Summary BatchSummary `json:"summary"`
}

// limitBodyTo caps a route's request body at n bytes, for the routes that take
// more than MaxBodyBytes. Register it in a group without limitBody.
func limitBodyTo(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			fail(c, screening.Errorf(screening.ETOOLARGE, "request body is larger than %d bytes", n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// createScreeningBatch is POST /v1/screenings:batch: up to 1,000 inquiries, each
// screened as POST /v1/screenings would screen it (with the same idempotency by
// reference), answered together with 200 and one result or error per inquiry.
// Only a problem with the batch as a whole (not a JSON object, no inquiries,
// too many, too large) fails the request.
func (s *Server) createScreeningBatch(c *gin.Context) {
	var req batchRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	switch n := len(req.Inquiries); {
	case req.Inquiries == nil:
		fail(c, invalid("inquiries", "required: an array of inquiries"))
		return
	case n == 0:
		fail(c, invalid("inquiries", "at least one inquiry is required"))
		return
	case n > MaxBatchInquiries:
		fail(c, invalid("inquiries", fmt.Sprintf("at most %d inquiries per batch, got %d", MaxBatchInquiries, n)))
		return
	}
	// The gin context is not shared with the workers: they get what they need.
	k, ctx, log, reqID := apiKey(c), c.Request.Context(), logger(c), requestID(c)
	items := make([]BatchItem, len(req.Inquiries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(batchWorkers, len(req.Inquiries)) {
		wg.Go(func() {
			for i := range next {
				items[i] = s.screenOne(ctx, log, reqID, k, i, req.Inquiries[i])
			}
		})
	}
	for i := range req.Inquiries {
		next <- i
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		// The caller is gone; what was screened is stored and a retry with the
		// same references gets those results back.
		fail(c, screening.Errorf(screening.EUNAVAILABLE, "request cancelled"))
		return
	}
	ans := BatchAnswer{Results: items, Summary: BatchSummary{Total: len(items), ByAction: map[string]int{}}}
	for _, it := range items {
		switch it.Status {
		case http.StatusCreated:
			ans.Summary.Created++
		case http.StatusOK:
			ans.Summary.Repeated++
		default:
			ans.Summary.Failed++
		}
		if it.Result != nil {
			ans.Summary.ByAction[string(it.Result.Action)]++
		}
	}
	c.JSON(http.StatusOK, ans)
}

// screenOne screens inquiry i of a batch and says what became of it, as
// createScreening would answer it alone.
func (s *Server) screenOne(ctx context.Context, log *slog.Logger, reqID string, k *screening.APIKey, i int, raw json.RawMessage) BatchItem {
	item := BatchItem{Index: i}
	var inq screening.Inquiry
	err := unmarshalStrict(raw, &inq)
	var scr *screening.Screening
	created := false
	if err == nil {
		scr, created, err = s.engine.Screen(ctx, screening.ScreenRequest{KeyID: k.ID, Inquiry: inq})
	}
	if err != nil {
		code := screening.ErrorCode(err)
		status, ok := statusOf[code]
		if !ok {
			status, code = http.StatusInternalServerError, screening.EINTERNAL
		}
		if code == screening.EINTERNAL || code == screening.EUNAVAILABLE {
			s.metrics.StoreErrors.WithLabelValues("screen").Inc()
			log.Warn("batch inquiry failed", slog.Int("index", i), slog.Any("err", err))
		}
		item.Status = status
		item.Error = &ErrorDetail{Code: code, Message: screening.ErrorMessage(err), RequestID: reqID}
		var e *screening.Error
		if errors.As(err, &e) {
			item.Error.Fields = e.Fields
		}
		return item
	}
	item.Status = http.StatusOK
	if created {
		item.Status = http.StatusCreated
		s.countScreening(scr)
	}
	item.Result = &scr.Result
	return item
}

// countScreening adds a new screening to the metrics.
func (s *Server) countScreening(scr *screening.Screening) {
	s.metrics.Screenings.WithLabelValues(string(scr.Action)).Inc()
	for _, f := range scr.Flags {
		if !f.Suppressed {
			s.metrics.Flags.WithLabelValues(f.Code).Inc()
		}
	}
}
