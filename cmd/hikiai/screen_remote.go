package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// remoteScreener sends chunks to a running server's POST /v1/screenings:batch.
type remoteScreener struct {
	client   *http.Client
	endpoint string
	key      string
	// attempts bounds the tries of one batch when the server is busy (429, 503)
	// or cannot be reached.
	attempts int
	backoff  time.Duration
}

func newRemoteScreener(ctx context.Context, server, key string, concurrency int) (*remoteScreener, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError(fmt.Sprintf("screen: --server %q must be an http or https URL such as http://127.0.0.1:8080", server))
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	r := &remoteScreener{
		client:   &http.Client{Transport: tr, Timeout: 5 * time.Minute},
		endpoint: u.String() + "/v1/screenings:batch",
		key:      key,
		attempts: 6,
		backoff:  500 * time.Millisecond,
	}
	// Check the key before reading any input: a wrong key stops the run here.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"/v1/screenings?limit=1", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("server %s refused the key: %s", u, errorOfResponse(resp))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("server %s: GET /v1/screenings answered %s", u, errorOfResponse(resp))
	}
	return r, nil
}

func (r *remoteScreener) chunkSize(o *screenOptions) int { return o.batchSize }

// batchAnswer is the 200 answer of POST /v1/screenings:batch.
type batchAnswer struct {
	Results []struct {
		Index  int               `json:"index"`
		Status int               `json:"status"`
		Result *screening.Result `json:"result"`
		Error  *apiError         `json:"error"`
	} `json:"results"`
}

type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

func (e *apiError) asError() *screening.Error {
	return &screening.Error{Code: e.Code, Message: e.Message, Fields: e.Fields}
}

func (r *remoteScreener) screen(ctx context.Context, c *chunk) error {
	var inqs []screening.Inquiry
	var slots []int // index in the request -> row of the chunk
	for i, row := range c.rows {
		if row.Err != nil {
			c.out[i].err = row.Err
			continue
		}
		inqs = append(inqs, row.Inquiry)
		slots = append(slots, i)
	}
	if len(inqs) == 0 {
		return nil
	}
	body, err := json.Marshal(map[string]any{"inquiries": inqs})
	if err != nil {
		return fmt.Errorf("encode batch: %w", err)
	}
	// A batch may be sent again only when the server surely did not screen it, or
	// when every row carries a reference (the server then answers repeats with the
	// first result); otherwise a retry could screen a row twice.
	allReferenced := true
	for _, inq := range inqs {
		allReferenced = allReferenced && strings.TrimSpace(inq.Reference) != ""
	}
	var ans *batchAnswer
	var rowErr error
	for attempt := 1; ; attempt++ {
		var retryAfter time.Duration
		var retry bool
		ans, retryAfter, retry, rowErr, err = r.post(ctx, body, allReferenced)
		if err != nil {
			return err // fatal: the run stops
		}
		if !retry || attempt >= r.attempts {
			break
		}
		wait := max(retryAfter, r.backoff<<(attempt-1))
		wait = min(wait, 30*time.Second)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			markSkipped(c)
			return nil
		}
	}
	if ans == nil {
		if ctx.Err() != nil {
			markSkipped(c)
			return nil
		}
		for _, i := range slots {
			c.out[i].err = rowErr
		}
		return nil
	}
	got := make([]bool, len(slots))
	for _, res := range ans.Results {
		if res.Index < 0 || res.Index >= len(slots) || got[res.Index] {
			return fmt.Errorf("server answered a batch with a bad or repeated index %d", res.Index)
		}
		got[res.Index] = true
		i := slots[res.Index]
		switch {
		case res.Error != nil:
			c.out[i].err = res.Error.asError()
		case res.Result != nil && (res.Status == http.StatusCreated || res.Status == http.StatusOK):
			c.out[i].res = &screened{Status: res.Status, Result: *res.Result}
		default:
			c.out[i].err = fmt.Errorf("server answered status %d without a result", res.Status)
		}
	}
	for k, ok := range got {
		if !ok {
			c.out[slots[k]].err = fmt.Errorf("server left inquiry %d of the batch unanswered", k)
		}
	}
	return nil
}

// post sends one batch. It returns the answer; or retry (with the server's
// Retry-After) when sending again is safe and may help; or rowErr, the error to
// give every row; or err when the whole run must stop.
func (r *remoteScreener) post(ctx context.Context, body []byte, idempotent bool) (ans *batchAnswer, retryAfter time.Duration, retry bool, rowErr, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, false, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, false, ctx.Err(), nil
		}
		// Refused connections never reached the server; other failures may have.
		var op *net.OpError
		notSent := errors.As(err, &op) && op.Op == "dial"
		return nil, 0, notSent || idempotent, screening.Errorf(screening.EUNAVAILABLE, "server unreachable: %v", err), nil
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var a batchAnswer
		if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&a); err != nil {
			return nil, 0, idempotent, screening.Errorf(screening.EUNAVAILABLE, "unreadable batch answer: %v", err), nil
		}
		return &a, 0, false, nil, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, 0, false, nil, fmt.Errorf("server refused the key: %s", errorOfResponse(resp))
	case http.StatusRequestEntityTooLarge:
		return nil, 0, false, nil, fmt.Errorf("server: the batch is too large (%s); lower --batch-size", errorOfResponse(resp))
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return nil, 0, false, nil, fmt.Errorf("server has no POST /v1/screenings:batch (%s): is --server a Hikiai server?", errorOfResponse(resp))
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, time.Duration(secs) * time.Second, true, screening.Errorf(screening.EUNAVAILABLE, "server busy: %s", errorOfResponse(resp)), nil
	case http.StatusBadRequest:
		return nil, 0, false, nil, fmt.Errorf("server rejected the batch as a whole: %s", errorOfResponse(resp))
	}
	return nil, 0, idempotent && resp.StatusCode >= 500, screening.Errorf(screening.EUNAVAILABLE, "server answered %s", errorOfResponse(resp)), nil
}

// errorOfResponse describes an error answer: its status and the message of the
// JSON error body when there is one.
func errorOfResponse(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && body.Error.Message != "" {
		return fmt.Sprintf("%s: %s", resp.Status, body.Error.Message)
	}
	return resp.Status
}
