package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The bench's latency counts from each request's planned start to its
// answer, so it holds the bench's own delays (a worker woken late on a busy
// machine, encoding, the loopback network) as well as the server's. The
// server times every request too (hikiai_http_request_duration_seconds on
// /metrics); the bench reads that histogram before and after measuring, so
// that a run on a shared machine shows which side the tail is on.

// requestDurationMetric is the server's request histogram (api/metrics.go).
const requestDurationMetric = "hikiai_http_request_duration_seconds_bucket"

// benchServerSide is the server's own timing of the screenings answered
// while measuring: every 2xx POST /v1/screenings, whoever sent it.
type benchServerSide struct {
	Answers int           `json:"answers"`
	Within  []benchWithin `json:"within,omitempty"`
	// P99AtMostMS is the smallest bucket bound that holds at least 99% of the
	// answers: the server's p99 is at most this. 0: beyond the last bound.
	P99AtMostMS float64 `json:"p99_at_most_ms"`
	// Unavailable says why there is no server-side figure.
	Unavailable string `json:"unavailable,omitempty"`
}

// benchWithin is the share of answers the server timed at or under MS.
type benchWithin struct {
	MS    float64 `json:"ms"`
	Share float64 `json:"share"`
}

// screeningBuckets maps each bucket bound (seconds) to the count of 2xx
// POST /v1/screenings requests at or under it, summed over the statuses.
type screeningBuckets map[float64]float64

// scrapeScreeningBuckets reads the server's /metrics.
func scrapeScreeningBuckets(ctx context.Context, hc *http.Client, server string) (screeningBuckets, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics answered %d", resp.StatusCode)
	}
	b, err := parseScreeningBuckets(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	return b, nil
}

// parseScreeningBuckets reads Prometheus text exposition and keeps the
// request histogram's buckets of 2xx POST /v1/screenings. Other lines are
// skipped; a bucket line it cannot read is an error, not a silent zero.
func parseScreeningBuckets(r io.Reader) (screeningBuckets, error) {
	out := screeningBuckets{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		rest, ok := strings.CutPrefix(text, requestDurationMetric+"{")
		if !ok {
			continue
		}
		labels, value, err := splitSample(rest)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if labels["method"] != "POST" || labels["route"] != "/v1/screenings" || !strings.HasPrefix(labels["status"], "2") {
			continue
		}
		le, err := strconv.ParseFloat(labels["le"], 64)
		if err != nil || math.IsNaN(le) {
			return nil, fmt.Errorf("line %d: bucket bound le=%q is not a number", line, labels["le"])
		}
		out[le] += value
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// splitSample reads `k="v",...} value [timestamp]`: what follows a sample's
// name and its opening brace.
func splitSample(s string) (map[string]string, float64, error) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ,")
		if rest, ok := strings.CutPrefix(s, "}"); ok {
			s = rest
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, 0, errors.New("malformed labels")
		}
		name := strings.TrimSpace(s[:eq])
		val, rest, err := unquoteLabel(s[eq+2:])
		if err != nil {
			return nil, 0, fmt.Errorf("label %s: %w", name, err)
		}
		labels[name] = val
		s = rest
	}
	fields := strings.Fields(s)
	if len(fields) == 0 || len(fields) > 2 {
		return nil, 0, errors.New("want a value (and a timestamp) after the labels")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return nil, 0, fmt.Errorf("value %q is not a count", fields[0])
	}
	return labels, v, nil
}

// unquoteLabel reads a label value up to its closing quote; the exposition
// format escapes only backslash, quote and newline.
func unquoteLabel(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("unterminated escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated value")
}

// serverSideOf compares two scrapes, taken before and after measuring.
func serverSideOf(before, after screeningBuckets) benchServerSide {
	total := after[math.Inf(1)] - before[math.Inf(1)]
	if total <= 0 {
		return benchServerSide{Unavailable: "the server's histogram counted no screenings while measuring"}
	}
	bounds := make([]float64, 0, len(after))
	for le := range after {
		if !math.IsInf(le, 1) {
			bounds = append(bounds, le)
		}
	}
	slices.Sort(bounds)
	s := benchServerSide{Answers: int(total)}
	for _, le := range bounds {
		share := (after[le] - before[le]) / total
		s.Within = append(s.Within, benchWithin{MS: le * 1000, Share: math.Round(share*1e4) / 1e4})
		if s.P99AtMostMS == 0 && share >= 0.99 {
			s.P99AtMostMS = le * 1000
		}
	}
	return s
}

// line is the summary's one-line form of the server side.
func (s benchServerSide) line() string {
	if s.Unavailable != "" {
		return "not available: " + s.Unavailable
	}
	var parts []string
	for _, w := range s.Within {
		if w.MS >= 2 && w.MS <= 100 {
			parts = append(parts, fmt.Sprintf("%g ms %.1f%%", w.MS, 100*w.Share))
		}
	}
	p99 := "p99 beyond the histogram's last bound"
	if s.P99AtMostMS > 0 {
		p99 = fmt.Sprintf("p99 <= %g ms", s.P99AtMostMS)
	}
	return fmt.Sprintf("%s; within %s (%d answers timed by the server)", p99, strings.Join(parts, ", "), s.Answers)
}
