package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		header string
		field  string
		item   int
		ok     bool
	}{
		{"reference", "reference", 0, true},
		{"参照番号", "reference", 0, true},
		{"\ufeff参照番号", "reference", 0, true},
		{"Customer Name", "customer.name", 0, true},
		{"customer.name", "customer.name", 0, true},
		{"customer_name", "customer.name", 0, true},
		{"顧客名", "customer.name", 0, true},
		{"国", "customer.country", 0, true},
		{"住所", "customer.address", 0, true},
		{"メール", "customer.email", 0, true},
		{"電話", "customer.phone", 0, true},
		{"ＴＥＬ", "customer.phone", 0, true}, // full width folds
		{"ウェブサイト", "customer.website", 0, true},
		{"最終需要者", "end_user.name", 0, true},
		{"最終需要者国", "end_user.country", 0, true},
		{"end_user.country", "end_user.country", 0, true},
		{"End User Address", "end_user.address", 0, true},
		{"支払者", "payer.name", 0, true},
		{"payer_country", "payer.country", 0, true},
		{"荷受人", "consignee.name", 0, true},
		{"用途", "end_use", 0, true},
		{"仕向地", "destination_country", 0, true},
		{"品目", "product", 1, true},
		{"数量", "quantity", 1, true},
		{"HSコード", "hs_code", 1, true},
		{"product", "product", 1, true},
		{"item1_product", "product", 1, true},
		{"item 2 quantity", "quantity", 2, true},
		{"item3.hs_code", "hs_code", 3, true},
		{"items[0].quantity", "quantity", 1, true},
		{"品目2", "product", 2, true},
		{"数量2", "quantity", 2, true},
		{"HSコード3", "hs_code", 3, true},
		{"spec.axes", "spec:axes", 1, true},
		{"item2_spec:positioning_accuracy_um", "spec:positioning_accuracy_um", 2, true},
		{"仕様:output_frequency_hz", "spec:output_frequency_hz", 1, true},
		{"specs", "specs", 1, true},
		{"単位", "quantity_unit", 1, true},
		{"colour", "", 0, false},
		{"item2_colour", "", 2, false},
		{"phone2", "", 0, false},
		{"item0_product", "", 0, false},
		{"item201_product", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		col, ok := parseHeader(tt.header)
		if ok != tt.ok || (ok && (col.field != tt.field || col.item != tt.item)) {
			t.Errorf("parseHeader(%q) = %q item %d ok %v, want %q item %d ok %v", tt.header, col.field, col.item, ok, tt.field, tt.item, tt.ok)
		}
	}
}

func readAllRows(t *testing.T, r rowReader) []*inputRow {
	t.Helper()
	var rows []*inputRow
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func TestCSVRowsJapaneseHeaders(t *testing.T) {
	in := "参照番号,顧客名,国,メール,最終需要者,最終需要者国,支払者,品目,数量,HSコード,仕様,品目2,数量2,仕様2:axes,用途,受付日\n" +
		"引合-1,株式会社さくら精機商事,日本,info@sakura.example.jp,東方精密机械有限公司,中国,Harbour Star,MC-5X200,\"1,000\",８４５７．１０,axes=5; positioning_accuracy_um=0.8,SP-5X200-SPINDLE,４,5,学校の実習,2026/11/20\n" +
		"\n" + // blank lines are skipped
		"引合-2,,CN,,,,,,,,,MC-3X100,abc,,,2026-13-01\n"
	cr, err := newCSVReader(strings.NewReader(in), false)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAllRows(t, cr)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	good := rows[0]
	if good.Err != nil || good.Line != 2 {
		t.Fatalf("row 1: line %d err %v", good.Line, good.Err)
	}
	inq := good.Inquiry
	if inq.Reference != "引合-1" || inq.Customer.Name != "株式会社さくら精機商事" || inq.Customer.Country != "JP" ||
		inq.EndUser == nil || inq.EndUser.Country != "CN" || inq.Payer == nil || inq.Payer.Name != "Harbour Star" || inq.EndUse != "学校の実習" {
		t.Errorf("parties: %+v end_user %+v payer %+v", inq, inq.EndUser, inq.Payer)
	}
	if !inq.ReceivedAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("received_at %v", inq.ReceivedAt)
	}
	if len(inq.Items) != 2 {
		t.Fatalf("items %+v", inq.Items)
	}
	it := inq.Items[0]
	if it.Product != "MC-5X200" || it.Quantity != 1000 || it.HSCode != "8457.10" || it.Specs["axes"] != 5.0 || it.Specs["positioning_accuracy_um"] != 0.8 {
		t.Errorf("item 1 %+v", it)
	}
	if it := inq.Items[1]; it.Product != "SP-5X200-SPINDLE" || it.Quantity != 4 || it.Specs["axes"] != 5.0 {
		t.Errorf("item 2 %+v", it)
	}

	bad := rows[1]
	if bad.Line != 4 || bad.Err == nil {
		t.Fatalf("row 2: line %d err %v", bad.Line, bad.Err)
	}
	// Item 1 is empty, so item column 2 is items[0]; its column is named.
	if why := bad.Err.Fields["items[0].quantity"]; !strings.Contains(why, "not a number") {
		t.Errorf("fields %v", bad.Err.Fields)
	}
	if got := bad.columnOf("items[0].quantity"); got != "数量2" {
		t.Errorf("column of items[0].quantity = %q, want 数量2", got)
	}
	if !strings.Contains(bad.Err.Fields["received_at"], "RFC 3339") {
		t.Errorf("received_at error %v", bad.Err.Fields)
	}
	if got := bad.columnOf("customer.name"); got != "顧客名" {
		t.Errorf("column of customer.name = %q", got)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct{ name, header, want string }{
		{"unknown column", "customer.name,colour\n", `unknown column 2 "colour"`},
		{"duplicate meaning", "顧客名,customer_name\n", "both mean customer.name"},
		{"item 1 twice", "customer.name,product,item1_product\n", "both mean item1.product"},
		{"no customer", "reference,product\n", "no column for the customer's name"},
		{"empty file", "", "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newCSVReader(strings.NewReader(tt.header), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := newCSVReader(strings.NewReader("customer.name,colour\n"), true); err != nil {
		t.Errorf("--ignore-unknown-columns: %v", err)
	}
}

func TestCSVShiftJIS(t *testing.T) {
	utf := "顧客名,品目,数量,用途\n株式会社さくら精機商事,MC-5X200,2,学校の実習\n"
	sjis, _, err := transform.String(japanese.ShiftJIS.NewEncoder(), utf)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"auto", "shift_jis"} {
		dec, err := decodeInput(strings.NewReader(sjis), enc)
		if err != nil {
			t.Fatal(err)
		}
		cr, err := newCSVReader(dec, false)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		rows := readAllRows(t, cr)
		if len(rows) != 1 || rows[0].Inquiry.Customer.Name != "株式会社さくら精機商事" || rows[0].Inquiry.EndUse != "学校の実習" {
			t.Errorf("%s: %+v", enc, rows[0].Inquiry)
		}
	}
	// UTF-8 with Excel's byte-order mark.
	dec, err := decodeInput(strings.NewReader("\ufeff"+utf), "auto")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newCSVReader(dec, false); err != nil {
		t.Errorf("BOM: %v", err)
	}
}

func TestJSONLinesRows(t *testing.T) {
	in := `{"reference":"A","customer":{"name":"Acme"},"items":[{"product":"MC-3X100","quantity":1}]}

{"customer":{"name":"Acme"},"items":[{"product":"MC-3X100","quantity":"one"}]}
{"customer":{"nmae":"Acme"},"items":[]}
{not json
`
	rows := readAllRows(t, newJSONLinesReader(strings.NewReader(in)))
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0].Err != nil || rows[0].Line != 1 || rows[0].Inquiry.Reference != "A" {
		t.Errorf("row 1 %+v", rows[0])
	}
	for i, want := range []struct {
		line  int
		field string
	}{{3, "items.quantity"}, {4, "nmae"}, {5, "line"}} {
		r := rows[i+1]
		if r.Line != want.line || r.Err == nil || r.Err.Fields[want.field] == "" {
			t.Errorf("row %d: line %d err %v, want field %s", i+2, r.Line, r.Err, want.field)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+81 3 1234", "'+81 3 1234"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"Acme = good", "Acme = good"},
		{"株式会社", "株式会社"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProgressDisplay(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var plain bytes.Buffer
	p := newProgress(&plain, false, 1000, clock)
	now = now.Add(10 * time.Second)
	p.add(250)
	p.printf("line 7: customer.name: required\n")
	if got := plain.String(); !strings.Contains(got, "progress: 250/1000 rows (25.0%), 25 rows/s, ETA 0:30\n") || !strings.Contains(got, "line 7:") || strings.Contains(got, "\r") {
		t.Errorf("plain output %q", got)
	}

	var tty bytes.Buffer
	p = newProgress(&tty, true, 100000, clock)
	now = now.Add(20 * time.Second)
	p.add(45210)
	p.printf("line 9: bad\n")
	p.finish()
	got := tty.String()
	for _, want := range []string{"\r\x1b[K[=============>", " 45.2% 45,210/100,000  2,260 rows/s  ETA 0:24", "\r\x1b[Kline 9: bad\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output %q lacks %q", got, want)
		}
	}
	if formatETA(3723*time.Second) != "1:02:03" || groupDigits(1234567) != "1,234,567" || groupDigits(-1000) != "-1,000" {
		t.Error("formatETA or groupDigits")
	}
}

// screenCSV is a small file with good rows, bad rows and a formula.
const screenCSV = `参照番号,顧客名,国,品目,数量,用途,支払者
S-1,株式会社さくら精機商事,JP,MC-5X200,2,学校の実習,
S-2,"=HYPERLINK(""http://evil.example"",""x"")",CN,MC-3X100,1,automotive parts,
S-3,,CN,MC-3X100,1,,
S-4,Acme Trading,CN,MC-3X100,abc,,
S-5,Harbin Tools,CN,INV-G60,3,HVAC,Golden Bridge Holdings
`

// runCLI runs hikiai in-process with an environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return out.String(), errb.String(), code
}

func testEnv(t *testing.T) map[string]string {
	return map[string]string{"HIKIAI_DATA_DIR": t.TempDir(), "HIKIAI_WEBSITE_CHECK": "false", "HIKIAI_LOG_LEVEL": "error"}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScreenLocalCSV(t *testing.T) {
	env := testEnv(t)
	in := writeFile(t, "in.csv", screenCSV)
	out := filepath.Join(t.TempDir(), "out.csv")
	_, stderr, code := runCLI(t, env, "screen", "--in", in, "--out", out, "--concurrency", "3")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (bad rows):\n%s", code, stderr)
	}
	for _, want := range []string{
		"line 4: customer.name (column 顧客名): required",
		`line 5: items[0].quantity (column 数量): not a number: "abc"`,
		"5 rows in ", "invalid 2, failed 0",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	recs := readCSVFile(t, out)
	if len(recs) != 4 || recs[0][0] != "line" {
		t.Fatalf("output %v", recs)
	}
	// Good rows in input order, the formula defused.
	if recs[1][0] != "2" || recs[2][0] != "3" || recs[3][0] != "6" {
		t.Errorf("lines %s %s %s", recs[1][0], recs[2][0], recs[3][0])
	}
	if !strings.HasPrefix(recs[2][2], "'=HYPERLINK") {
		t.Errorf("formula not defused: %q", recs[2][2])
	}
	if recs[1][7] == "proceed" || !strings.Contains(recs[1][9], "spec_use_mismatch") {
		t.Errorf("school workshop for a 5-axis machine: %v", recs[1])
	}

	// Again: every reference is known, so the results are the first ones (200).
	jl := filepath.Join(t.TempDir(), "out.jsonl")
	_, stderr, code = runCLI(t, env, "screen", "--in", in, "--out", jl, "--quiet")
	if code != 1 || !strings.Contains(stderr, "0 new, 3 repeats") || strings.Contains(stderr, "progress:") {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	lines := readJSONLines(t, jl)
	if len(lines) != 3 || lines[0].Status != 200 || lines[0].Line != 2 || lines[0].Result.ID != recs[1][3] {
		t.Errorf("second run %+v", lines)
	}
}

func TestScreenAllGoodExitsZero(t *testing.T) {
	env := testEnv(t)
	in := writeFile(t, "in.jsonl", `{"customer":{"name":"Acme Trading","country":"DE"},"items":[{"product":"MC-3X100","quantity":1}],"end_use":"automotive parts"}`+"\n")
	stdout, stderr, code := runCLI(t, env, "screen", "--in", in)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var s screened
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || s.Line != 1 || s.Status != 201 || s.Result.ID == "" {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
}

func TestScreenLocalStoreHeldSuggestsServer(t *testing.T) {
	env := testEnv(t)
	st, err := boltstore.Open(filepath.Join(env["HIKIAI_DATA_DIR"], "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, stderr, code := runCLI(t, env, "screen", "--in", writeFile(t, "in.csv", screenCSV))
	if code != 1 || !strings.Contains(stderr, "held by a running `hikiai serve`") || !strings.Contains(stderr, "--server http://") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
}

func TestScreenUsage(t *testing.T) {
	env := testEnv(t)
	for _, args := range [][]string{
		{"screen"},
		{"screen", "--in", "x.csv", "--concurrency", "0"},
		{"screen", "--in", "x.csv", "--batch-size", "1001"},
		{"screen", "--in", "x.csv", "--key", "k"},
		{"screen", "--in", "x.csv", "--server", "ftp://x"},
		{"screen", "--in", "x.csv", "--server", "http://127.0.0.1:1"},
	} {
		_, stderr, code := runCLI(t, env, args...)
		if code == 0 || stderr == "" {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}

// testStore opens an embedded store in a temp dir (closed with the test) and
// loads the embedded rules.
func testStore(t *testing.T) (*boltstore.Store, *screening.Settings) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	settings, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return st, settings
}

// serveInProcess runs the API on a store in a temp dir and returns its URL and
// a key of the role.
func serveInProcess(t *testing.T, role string) (string, string) {
	t.Helper()
	st, settings := testStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{"HIKIAI_WEBSITE_CHECK": "false", "HIKIAI_DATA_DIR": t.TempDir()}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := buildService(context.Background(), cfg, log, settings, &backend{store: st, close: st.Close})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.shutdown)
	hs := httptest.NewServer(svc.api.Handler())
	t.Cleanup(hs.Close)
	secret, _, err := (&api.LocalAdmin{Store: st, Now: time.Now, Actor: "test"}).CreateKey(context.Background(), role, "screen test")
	if err != nil {
		t.Fatal(err)
	}
	return hs.URL, secret
}

func TestScreenThroughServer(t *testing.T) {
	url, key := serveInProcess(t, screening.RoleERP)
	env := testEnv(t)
	keyFile := writeFile(t, "key", key+"\n")
	in := writeFile(t, "in.csv", screenCSV)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	_, stderr, code := runCLI(t, env, "screen", "--server", url, "--key-file", keyFile, "--in", in, "--out", out, "--batch-size", "2", "--concurrency", "2")
	if code != 1 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"line 4: customer.name (column 顧客名): required", "line 5: items[0].quantity (column 数量)", "invalid 2, failed 0"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	lines := readJSONLines(t, out)
	if len(lines) != 3 || lines[0].Line != 2 || lines[1].Line != 3 || lines[2].Line != 6 || lines[0].Status != 201 {
		t.Fatalf("output %+v", lines)
	}

	// A row the server finds invalid (not the reader) is reported the same way.
	bad := writeFile(t, "bad.csv", "顧客名,品目,数量,メール\nAcme,MC-3X100,1,not-an-address\n")
	_, stderr, code = runCLI(t, env, "screen", "--server", url, "--key-file", keyFile, "--in", bad, "--out", filepath.Join(t.TempDir(), "o.jsonl"))
	if code != 1 || !strings.Contains(stderr, "line 2: customer.email (column メール): not an e-mail address") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}

	// A key that may not screen stops the run before any row.
	_, stderr, code = runCLI(t, env, "screen", "--server", url, "--key", "hk_wrong", "--in", in, "--out", filepath.Join(t.TempDir(), "o.jsonl"))
	if code != 1 || !strings.Contains(stderr, "refused the key") {
		t.Fatalf("wrong key: exit %d:\n%s", code, stderr)
	}
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func readJSONLines(t *testing.T, path string) []screened {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []screened
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s screened
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		out = append(out, s)
	}
	return out
}

// The 100,000-row measurement of the issue. Not part of `go test`:
//
//	go test ./cmd/hikiai -run TestGenerateScreenCSV -screen.gen=/tmp/100k.csv -screen.rows=100000
//
// writes the file; then time `hikiai screen --in /tmp/100k.csv` locally and
// with --server (SCREEN.md, "Throughput").
var (
	genPath = flag.String("screen.gen", "", "write a generated inquiry CSV to this path")
	genRows = flag.Int("screen.rows", 100000, "rows of the generated CSV")
)

func TestGenerateScreenCSV(t *testing.T) {
	if *genPath == "" {
		t.Skip("pass -screen.gen=PATH to write a generated CSV")
	}
	f, err := os.Create(*genPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := generateInquiryCSV(f, *genRows, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGeneratedCSVScreens keeps the generator honest: a small file of its rows
// reads without a single bad row.
func TestGeneratedCSVScreens(t *testing.T) {
	var b bytes.Buffer
	if err := generateInquiryCSV(&b, 300, 7); err != nil {
		t.Fatal(err)
	}
	cr, err := newCSVReader(&b, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAllRows(t, cr)
	if len(rows) != 300 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Err != nil {
			t.Fatalf("line %d: %v", r.Line, r.Err)
		}
		if err := r.Inquiry.Validate(); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
	}
}

// generateInquiryCSV writes rows of made-up inquiries with Japanese headers:
// a few thousand customers in several countries, catalogue products, plausible
// and implausible uses, some third-party payers and end users, so that every
// check has work to do.
func generateInquiryCSV(w io.Writer, rows int, seed uint64) error {
	cw := csv.NewWriter(w)
	header := []string{"参照番号", "案件", "受付日時", "顧客名", "国", "住所", "メール", "電話", "最終需要者", "最終需要者国", "支払者", "支払者国",
		"品目", "数量", "HSコード", "用途", "品目2", "数量2"}
	if err := cw.Write(header); err != nil {
		return err
	}
	products := []struct{ code, hs string }{{"MC-5X200", "8457.10"}, {"MC-3X100", "8457.10"}, {"SP-5X200-SPINDLE", "8466.93"},
		{"INV-HF700", "8504.40"}, {"INV-G60", "8504.40"}, {"CF-T800", "6815.11"}, {"FER-50C", "8419.89"}, {"VIB-60K", "9031.20"}}
	uses := []string{"automotive parts", "自動車部品の加工", "学校の実習", "HVAC", "空調設備", "fishing rods", "research", "金型製作", "brewery", "aerospace components"}
	countries := []string{"CN", "JP", "DE", "US", "KR", "TW", "TH", "VN", "IN", "AE", "HK", "SG"}
	prefixes := []string{"Shenzhen", "Osaka", "Harbin", "Bavaria", "Ohio", "Busan", "Taichung", "Bangkok", "Hanoi", "Pune", "Dubai", "Kowloon"}
	kinds := []string{"Precision", "Machinery", "Tools", "Industrial", "Engineering", "Electronics", "Materials", "Automation"}
	forms := []string{"Co., Ltd.", "GmbH", "LLC", "Trading Co.", "株式会社", "Pte. Ltd.", "JSC"}
	x := seed*0x9E3779B97F4A7C15 + 1
	rnd := func(n int) int { // xorshift: deterministic, no shared state
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(n))
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		c := rnd(4000)
		country := countries[c%len(countries)]
		name := fmt.Sprintf("%s %s %s %d", prefixes[c%len(prefixes)], kinds[c/len(prefixes)%len(kinds)], forms[c%len(forms)], c)
		p := products[rnd(len(products))]
		rec := []string{
			fmt.Sprintf("GEN-%07d", i+1), fmt.Sprintf("DEAL-%d", rnd(20000)),
			start.Add(time.Duration(i) * 37 * time.Second).Format(time.RFC3339),
			name, country, fmt.Sprintf("%d Industrial Road, %s", 1+c%300, prefixes[c%len(prefixes)]),
			fmt.Sprintf("sales%d@company%d.example", c%7, c), fmt.Sprintf("+%d 55 %04d %04d", 10+c%80, c, rnd(10000)),
			"", "", "", "", p.code, fmt.Sprint(1 + rnd(40)), p.hs, uses[rnd(len(uses))], "", "",
		}
		if rnd(5) == 0 { // a different end user
			rec[8], rec[9] = fmt.Sprintf("End User %d Ltd.", rnd(3000)), countries[rnd(len(countries))]
		}
		if rnd(8) == 0 { // a third party pays
			rec[10], rec[11] = fmt.Sprintf("Holding %d Ltd.", rnd(500)), "HK"
		}
		if rnd(4) == 0 { // a second item
			q := products[rnd(len(products))]
			rec[16], rec[17] = q.code, fmt.Sprint(1+rnd(10))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
