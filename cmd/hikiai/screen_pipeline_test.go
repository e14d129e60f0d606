package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// fakeScreener answers each row from a function, after a delay that makes
// chunks finish out of order.
type fakeScreener struct {
	size   int
	answer func(ctx context.Context, row *inputRow) outcome
	calls  atomic.Int64
}

func (f *fakeScreener) chunkSize(*screenOptions) int { return f.size }

func (f *fakeScreener) screen(ctx context.Context, c *chunk) error {
	f.calls.Add(1)
	// Later chunks finish first.
	time.Sleep(time.Duration(5-c.seq%5) * time.Millisecond)
	for i, r := range c.rows {
		if r.Err != nil {
			c.out[i].err = r.Err
			continue
		}
		c.out[i] = f.answer(ctx, r)
	}
	return nil
}

// sliceRows yields n rows whose customer is "row N".
type sliceRows struct{ n, i int }

func (s *sliceRows) Next() (*inputRow, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	s.i++
	r := &inputRow{Line: s.i + 1}
	r.Inquiry.Customer.Name = fmt.Sprintf("row %d", s.i)
	return r, nil
}

func proceed(_ context.Context, r *inputRow) outcome {
	return outcome{res: &screened{Status: 201, Result: screening.Result{ID: "scr_" + r.Inquiry.Customer.Name, Action: screening.ActionProceed}}}
}

func pipelineOptions() *screenOptions {
	return &screenOptions{concurrency: 4, out: "out", maxConsecFailures: 5}
}

func TestRunScreenWritesInInputOrder(t *testing.T) {
	var out bytes.Buffer
	w := newJSONLinesWriter(&out)
	var errs bytes.Buffer
	prog := newProgress(&errs, false, 0, time.Now)
	prog.hidden = true
	sum, err := runScreen(context.Background(), pipelineOptions(), &sliceRows{n: 103}, &fakeScreener{size: 4, answer: proceed}, w, prog)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 103 || sum.rows != 103 || sum.byAction[screening.ActionProceed] != 103 || sum.created != 103 {
		t.Fatalf("%d lines, summary %+v", len(lines), sum)
	}
	for i, l := range lines {
		if !strings.Contains(l, fmt.Sprintf(`"line":%d,`, i+2)) {
			t.Fatalf("line %d out of order: %s", i, l)
		}
	}
}

func TestRunScreenStopsOnInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	answer := func(ctx context.Context, r *inputRow) outcome {
		if n.Add(1) == 20 {
			cancel()
		}
		if ctx.Err() != nil {
			return outcome{skipped: true}
		}
		return proceed(ctx, r)
	}
	var errs bytes.Buffer
	prog := newProgress(&errs, false, 0, time.Now)
	sum, err := runScreen(ctx, pipelineOptions(), &sliceRows{n: 10000}, &fakeScreener{size: 2, answer: answer}, newJSONLinesWriter(io.Discard), prog)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err %v", err)
	}
	if sum.rows >= 10000 || sum.skipped == 0 || sum.created < 15 || !strings.Contains(sum.String(), "not screened") {
		t.Errorf("summary %s", sum)
	}
}

func TestRunScreenGivesUpWhenTheStoreKeepsFailing(t *testing.T) {
	down := func(context.Context, *inputRow) outcome {
		return outcome{err: screening.Errorf(screening.EUNAVAILABLE, "store unreachable")}
	}
	var errs bytes.Buffer
	prog := newProgress(&errs, false, 0, time.Now)
	f := &fakeScreener{size: 1, answer: down}
	sum, err := runScreen(context.Background(), pipelineOptions(), &sliceRows{n: 10000}, f, newJSONLinesWriter(io.Discard), prog)
	if err == nil || !strings.Contains(err.Error(), "failures in a row") || !strings.Contains(err.Error(), "store unreachable") {
		t.Fatalf("err %v", err)
	}
	if f.calls.Load() > 100 || sum.failed < 5 {
		t.Errorf("kept going: %d calls, summary %s", f.calls.Load(), sum)
	}
	if !strings.Contains(errs.String(), "line 2: unavailable: store unreachable") {
		t.Errorf("failures not reported per line:\n%s", errs.String())
	}
}
