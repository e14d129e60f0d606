package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// screened is the outcome of one good row: the result and whether it was
// created now (201) or is the earlier result of the same reference (200).
type screened struct {
	Line     int              `json:"line"`
	Status   int              `json:"status"`
	Customer string           `json:"-"`
	Result   screening.Result `json:"result"`
}

// resultWriter writes the results of good rows, in input order.
type resultWriter interface {
	Write(s *screened) error
	// Close flushes; it does not close the underlying file.
	Close() error
}

// jsonLinesWriter writes {"line":3,"status":201,"result":{...}} per row: the
// shape of one item of the batch API's answer, keyed by input line.
type jsonLinesWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func newJSONLinesWriter(w io.Writer) *jsonLinesWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &jsonLinesWriter{w: bw, enc: enc}
}

func (j *jsonLinesWriter) Write(s *screened) error { return j.enc.Encode(s) }
func (j *jsonLinesWriter) Close() error            { return j.w.Flush() }

// csvOutputColumns are the columns of the CSV output, in English and Japanese.
var csvOutputColumns = []struct{ en, ja string }{
	{"line", "行"},
	{"reference", "参照番号"},
	{"customer", "顧客名"},
	{"screening_id", "スクリーニングID"},
	{"status", "状態"},
	{"score", "スコア"},
	{"level", "リスク"},
	{"action", "判定"},
	{"case_id", "ケースID"},
	{"flags", "レッドフラグ"},
	{"messages", "説明"},
	{"reasons", "理由"},
	{"lists_version", "リスト版"},
	{"screened_at", "実施日時"},
}

// csvResultWriter writes one row per result. Cells that a spreadsheet would
// run as a formula are defused (see csvSafe).
type csvResultWriter struct {
	w    *csv.Writer
	ja   bool
	head bool
}

func newCSVResultWriter(w io.Writer, ja bool) *csvResultWriter {
	return &csvResultWriter{w: csv.NewWriter(w), ja: ja}
}

func (c *csvResultWriter) Write(s *screened) error {
	if !c.head {
		c.head = true
		h := make([]string, len(csvOutputColumns))
		for i, col := range csvOutputColumns {
			h[i] = col.en
			if c.ja {
				h[i] = col.ja
			}
		}
		if err := c.w.Write(h); err != nil {
			return err
		}
	}
	r := s.Result
	codes := make([]string, 0, len(r.Flags))
	msgs := make([]string, 0, len(r.Flags))
	for _, f := range r.Flags {
		if f.Suppressed {
			continue
		}
		codes = append(codes, f.Code)
		m := f.Message
		if c.ja && f.MessageJA != "" {
			m = f.MessageJA
		}
		msgs = append(msgs, fmt.Sprintf("%s (%d): %s", f.Code, f.Points, m))
	}
	status := "created"
	if s.Status == 200 {
		status = "repeat"
	}
	rec := []string{
		strconv.Itoa(s.Line), r.Reference, s.Customer, r.ID, status, strconv.Itoa(r.Score), string(r.Level), string(r.Action),
		r.CaseID, strings.Join(codes, ";"), strings.Join(msgs, "\n"), strings.Join(r.Reasons, "\n"), r.ListsVersion,
		r.ScreenedAt.UTC().Format(time.RFC3339),
	}
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return c.w.Write(rec)
}

func (c *csvResultWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// csvSafe defuses CSV injection: a cell that starts with = + - @ (or a tab or
// carriage return, which some spreadsheets skip before reading a formula) gets
// a leading apostrophe, so that Excel and LibreOffice show it as text. Customer
// names and references come from outside, so "=HYPERLINK(...)" must stay text.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
