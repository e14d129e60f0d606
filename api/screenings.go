package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// screeningView is a stored screening as GET shows it: the result and the
// inquiry that produced it.
type screeningView struct {
	screening.Result
	Inquiry *screening.Inquiry `json:"inquiry,omitempty"`
}

// createScreening is POST /v1/screenings: 201 with the result, 200 with the first
// result for an idempotent repeat, 409 when the reference was used otherwise.
func (s *Server) createScreening(c *gin.Context) {
	started := time.Now()
	var inq screening.Inquiry
	if err := decodeJSON(c, &inq); err != nil {
		fail(c, err)
		return
	}
	s.metrics.ObserveStage(stageDecode, time.Since(started))
	k := apiKey(c)
	scr, created, err := s.engine.Screen(c.Request.Context(), screening.ScreenRequest{KeyID: k.ID, Inquiry: inq})
	if err != nil {
		if code := screening.ErrorCode(err); code == screening.EINTERNAL || code == screening.EUNAVAILABLE {
			s.metrics.StoreErrors.WithLabelValues("screen").Inc()
		}
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.metrics.Screenings.WithLabelValues(string(scr.Action)).Inc()
		for _, f := range scr.Flags {
			if !f.Suppressed {
				s.metrics.Flags.WithLabelValues(f.Code).Inc()
			}
		}
		c.Header("Location", "/v1/screenings/"+scr.ID)
	}
	started = time.Now()
	s.answerJSON(c, status, scr.Result)
	s.metrics.ObserveStage(stageAnswer, time.Since(started))
}

// The stages of a screening that the HTTP layer times, beside the engine's.
const (
	stageDecode screening.Stage = "decode" // reading and decoding the inquiry JSON
	stageAnswer screening.Stage = "answer" // encoding and writing the result
)

// answerBuffers keeps buffers for answerJSON.
type answerBuffers struct{ p sync.Pool }

// maxPooledAnswer keeps rare large answers from staying in the pool.
const maxPooledAnswer = 64 << 10

// answerJSON writes v as c.JSON does, through a reused buffer: c.JSON
// copies every answer out of the encoder into a new slice, a few KB per
// screening on the hottest route.
func (s *Server) answerJSON(c *gin.Context, status int, v any) {
	buf, _ := s.answers.p.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledAnswer {
			buf.Reset()
			s.answers.p.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		fail(c, fmt.Errorf("encode answer: %w", err))
		return
	}
	// Encode ends with a newline that c.JSON does not write.
	c.Data(status, "application/json; charset=utf-8", bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}

// getScreening is GET /v1/screenings/{id}. A sales or ERP key sees only its own
// screenings; another's answers 404 so that ids reveal nothing.
func (s *Server) getScreening(c *gin.Context) {
	scr, err := s.store.Screening(c.Request.Context(), c.Param("id"))
	if err == nil && !seesAll(apiKey(c)) && scr.KeyID != apiKey(c).ID {
		err = screening.Errorf(screening.ENOTFOUND, "screening %s not found", c.Param("id"))
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, screeningView{Result: scr.Result, Inquiry: &scr.Inquiry})
}

// listPage is the shape of every paged list answer.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// listScreenings is GET /v1/screenings?customer=&since=&limit=&cursor=.
func (s *Server) listScreenings(c *gin.Context) {
	f := screening.ScreeningFilter{Cursor: c.Query("cursor")}
	var err error
	if f.Limit, err = queryLimit(c, 50, 500); err != nil {
		fail(c, err)
		return
	}
	if f.Since, err = querySince(c); err != nil {
		fail(c, err)
		return
	}
	if name := strings.TrimSpace(c.Query("customer")); name != "" {
		f.CustomerKey = names.Key(name)
	}
	if k := apiKey(c); !seesAll(k) {
		f.KeyID = k.ID
	}
	list, next, err := s.store.ListScreenings(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	page := listPage[screeningView]{Items: make([]screeningView, 0, len(list)), NextCursor: next}
	for _, scr := range list {
		page.Items = append(page.Items, screeningView{Result: scr.Result})
	}
	c.JSON(http.StatusOK, page)
}

func queryLimit(c *gin.Context, def, max int) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		return 0, invalid("limit", "must be a whole number from 1 to "+strconv.Itoa(max))
	}
	return n, nil
}

// querySince accepts an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func querySince(c *gin.Context) (time.Time, error) {
	raw := c.Query("since")
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, nil
	}
	return time.Time{}, invalid("since", "must be an RFC 3339 time or a date like 2026-11-01")
}
