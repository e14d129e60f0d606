package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
)

// inputRow is one inquiry read from the input file, or the reason it could not
// be read. Line is the 1-based line where the row starts.
type inputRow struct {
	Line    int
	Inquiry screening.Inquiry
	// Err names the bad fields of a row that could not be turned into an
	// inquiry (a quantity that is not a number); such rows are never screened.
	Err *screening.Error
	// columnOf turns a field path of the inquiry (items[1].quantity) into the
	// column it came from (item2_quantity), for error messages. Nil for JSON lines.
	columnOf func(path string) string
}

// rowReader yields the rows of an input file one at a time; io.EOF at the end.
type rowReader interface {
	Next() (*inputRow, error)
}

// decodeInput undoes the encoding of a CSV file. "auto" takes UTF-8 (with or
// without a byte-order mark) unless the start of the file is not valid UTF-8,
// and then Shift_JIS, which is what Excel writes for a Japanese CSV by default.
func decodeInput(r io.Reader, encoding string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	switch strings.ToLower(strings.ReplaceAll(encoding, "-", "_")) {
	case "utf8", "utf_8":
		return skipBOM(br), nil
	case "shift_jis", "sjis", "cp932", "windows_31j":
		return transform.NewReader(br, japanese.ShiftJIS.NewDecoder()), nil
	case "auto", "":
		head, err := br.Peek(64 << 10)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("read input: %w", err)
		}
		// A multi-byte character may be cut at the end of the peeked block.
		for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
		if utf8.Valid(head) {
			return skipBOM(br), nil
		}
		return transform.NewReader(br, japanese.ShiftJIS.NewDecoder()), nil
	}
	return nil, usageError(fmt.Sprintf("--encoding %q: must be auto, utf-8 or shift_jis", encoding))
}

func skipBOM(br *bufio.Reader) io.Reader {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	return br
}

// ---- JSON lines ----

// jsonLinesReader reads one inquiry per line, in the shape of the
// POST /v1/screenings body. Blank lines are skipped.
type jsonLinesReader struct {
	sc   *bufio.Scanner
	line int
}

func newJSONLinesReader(r io.Reader) *jsonLinesReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20) // one inquiry may carry 200 items
	return &jsonLinesReader{sc: sc}
}

func (j *jsonLinesReader) Next() (*inputRow, error) {
	for j.sc.Scan() {
		j.line++
		b := bytes.TrimSpace(j.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if j.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		row := &inputRow{Line: j.line}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row.Inquiry); err != nil {
			row.Err = jsonRowError(err)
		} else if dec.More() {
			row.Err = &screening.Error{Code: screening.EINVALID, Message: "invalid line", Fields: map[string]string{"line": "more than one JSON value"}}
		}
		return row, nil
	}
	if err := j.sc.Err(); err != nil {
		return nil, fmt.Errorf("read line %d: %w", j.line+1, err)
	}
	return nil, io.EOF
}

// jsonRowError names the field encoding/json stumbled on.
func jsonRowError(err error) *screening.Error {
	field, why := "line", err.Error()
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		field = typ.Field
		if field == "" {
			field = "line"
		}
		why = "must be " + jsonKind(typ.Type.Kind().String()) + ", not " + typ.Value
	case errors.As(err, &syn):
		why = fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, why = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field"
	}
	return &screening.Error{Code: screening.EINVALID, Message: "invalid line", Fields: map[string]string{field: why}}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "float64", "int", "int64":
		return "a number"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return k
}

// ---- CSV ----

// csvReader reads one inquiry per row; the first row names the columns (see
// SCREEN.md for the names, English or Japanese).
type csvReader struct {
	r     *csv.Reader
	cols  []csvColumn
	items []int // item numbers that have columns, ascending
	// headerOf names the column a field path came from: "customer.name" for
	// party fields, "item2.quantity" or "item1.specs.axes" for item fields.
	headerOf map[string]string
}

// csvColumn is what one header cell means.
type csvColumn struct {
	header string // as written
	field  string // party or inquiry field ("customer.name"), or an item field ("quantity", "spec:axes")
	item   int    // item number (1-based) for item columns, 0 otherwise
}

var (
	// item1_product, item 1 quantity, item2.spec.axes
	itemPrefixRE = regexp.MustCompile(`^items?\s*[_.\-]?\s*(\d+)\s*[_.\-\s]\s*(.+)$`)
	// items[0].product: the JSON path, 0-based
	itemPathRE = regexp.MustCompile(`^items\[(\d+)\]\.(.+)$`)
	// 数量2, hsコード3, product2: an item field with its number at the end
	trailingNumberRE = regexp.MustCompile(`^(.*\D)\s*[_\-]?(\d+)$`)
	// spec.axes, spec:axes, 仕様:axes, specs.positioning_accuracy_um
	specRE = regexp.MustCompile(`^(?:specs?|仕様)\s*[.:]\s*(\S.*)$`)
	// 仕様2:axes, spec2.axes: a spec of item 2
	numberedSpecRE = regexp.MustCompile(`^(?:specs?|仕様)\s*(\d+)\s*[.:]\s*(\S.*)$`)
)

// maxItemColumn bounds item numbers in headers (the engine allows 200 items).
const maxItemColumn = screening.MaxItems

func newCSVReader(r io.Reader, ignoreUnknown bool) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked per row, so that one short row does not stop the file
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("csv: the file is empty: the first row must name the columns")
	}
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	c := &csvReader{r: cr, cols: make([]csvColumn, len(header)), headerOf: map[string]string{}}
	seen := map[string]string{}
	items := map[int]bool{}
	var unknown []string
	for i, h := range header {
		col, ok := parseHeader(h)
		if !ok {
			if strings.TrimSpace(h) == "" && ignoreUnknown {
				continue
			}
			unknown = append(unknown, fmt.Sprintf("column %d %q", i+1, h))
			continue
		}
		key := col.field
		if col.item > 0 {
			key = fmt.Sprintf("item%d.%s", col.item, itemPath(col.field))
			items[col.item] = true
		}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("csv header: columns %q and %q both mean %s", prev, h, key)
		}
		seen[key] = h
		c.headerOf[key] = h
		c.cols[i] = col
	}
	if len(unknown) > 0 && !ignoreUnknown {
		return nil, fmt.Errorf("csv header: unknown %s (see SCREEN.md for the column names, or pass --ignore-unknown-columns)", strings.Join(unknown, ", "))
	}
	if _, ok := seen["customer.name"]; !ok {
		return nil, fmt.Errorf("csv header: no column for the customer's name (customer.name or 顧客名)")
	}
	for n := range items {
		c.items = append(c.items, n)
	}
	sort.Ints(c.items)
	return c, nil
}

// parseHeader tells what a header cell means.
func parseHeader(raw string) (csvColumn, bool) {
	h := strings.ToLower(strings.TrimSpace(norm.NFKC.String(strings.TrimPrefix(raw, "\ufeff"))))
	col := csvColumn{header: raw}
	if h == "" {
		return col, false
	}
	rest := h
	if m := itemPathRE.FindStringSubmatch(h); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n >= maxItemColumn {
			return col, false
		}
		col.item, rest = n+1, m[2]
	} else if m := itemPrefixRE.FindStringSubmatch(h); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > maxItemColumn {
			return col, false
		}
		col.item, rest = n, m[2]
	}
	if m := numberedSpecRE.FindStringSubmatch(rest); m != nil && col.item == 0 {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > maxItemColumn {
			return col, false
		}
		col.item, col.field = n, "spec:"+strings.TrimSpace(m[2])
		return col, true
	}
	if m := specRE.FindStringSubmatch(rest); m != nil {
		// The key keeps its spelling: spec keys are a vocabulary (DESIGN.md).
		col.field = "spec:" + strings.TrimSpace(m[1])
		if col.item == 0 {
			col.item = 1
		}
		return col, true
	}
	key := headerKey(rest)
	if f, ok := itemAliases[key]; ok {
		col.field = f
		if col.item == 0 {
			col.item = 1
		}
		return col, true
	}
	if col.item > 0 {
		return col, false // item3_colour: an item column we do not know
	}
	if f, ok := fieldAliases[key]; ok {
		col.field = f
		return col, true
	}
	if m := trailingNumberRE.FindStringSubmatch(rest); m != nil {
		if f, ok := itemAliases[headerKey(m[1])]; ok {
			n, err := strconv.Atoi(m[2])
			if err == nil && n >= 1 && n <= maxItemColumn {
				col.field, col.item = f, n
				return col, true
			}
		}
	}
	return col, false
}

// headerKey folds a header for lookup: NFKC, lower case, no spaces or
// separators, so that "Customer Name", "customer_name" and "customer.name" meet.
func headerKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '_', '-', '.', '・', '/', '\u3000':
			return -1
		}
		return r
	}, s)
}

// itemAliases maps folded headers to item fields (unnumbered ones belong to
// item 1); fieldAliases maps them to inquiry and party fields. Both are built
// once and only read.
var itemAliases, fieldAliases = headerAliases()

func headerAliases() (itemAliases, fieldAliases map[string]string) {
	itemAliases, fieldAliases = map[string]string{}, map[string]string{}
	add := func(m map[string]string, field string, names ...string) {
		for _, n := range names {
			k := headerKey(n)
			if prev, ok := m[k]; ok && prev != field {
				panic("screen: header " + n + " means both " + prev + " and " + field)
			}
			m[k] = field
		}
	}
	add(itemAliases, "product", "product", "item", "品目", "製品", "製品コード", "型式", "型番", "品番")
	add(itemAliases, "description", "description", "品名", "説明", "品目説明", "製品説明")
	add(itemAliases, "quantity", "quantity", "qty", "数量")
	add(itemAliases, "quantity_unit", "quantity_unit", "unit", "単位")
	add(itemAliases, "hs_code", "hs_code", "hs", "hscode", "HSコード", "HS番号", "統計品目番号")
	add(itemAliases, "control_entry", "control_entry", "eccn", "規制項番", "該当項番", "項番")
	add(itemAliases, "specs", "specs", "spec", "仕様")

	add(fieldAliases, "reference", "reference", "ref", "参照番号", "引合番号", "引き合い番号", "引合No", "問合せ番号", "問い合わせ番号")
	add(fieldAliases, "deal", "deal", "deal_id", "案件", "案件番号", "商談番号")
	add(fieldAliases, "received_at", "received_at", "received", "受付日時", "受付日", "受信日時")
	add(fieldAliases, "affiliates", "affiliates", "関連会社", "グループ会社")
	add(fieldAliases, "destination_country", "destination_country", "destination", "仕向地", "仕向国", "仕向け地")
	add(fieldAliases, "end_use", "end_use", "use", "用途", "最終用途")

	// Party fields: role prefix × field, in English and Japanese. The customer's
	// fields may also go without a prefix (国, 住所, email).
	type role struct {
		path      string
		english   []string
		japanese  []string
		unprefixd bool
	}
	roles := []role{
		{"customer", []string{"customer"}, []string{"顧客", "顧客名", "引合元", "引き合い元"}, true},
		{"end_user", []string{"end_user", "enduser"}, []string{"最終需要者", "エンドユーザー", "エンドユーザ"}, false},
		{"payer", []string{"payer"}, []string{"支払者", "支払人", "支払元"}, false},
		{"consignee", []string{"consignee"}, []string{"荷受人"}, false},
	}
	fields := []struct {
		path     string
		english  []string
		japanese []string
	}{
		{"name", []string{"name"}, []string{"名", "名称", "会社名", "企業名"}},
		{"country", []string{"country"}, []string{"国", "国名", "国・地域"}},
		{"address", []string{"address"}, []string{"住所", "所在地"}},
		{"email", []string{"email", "e-mail", "mail"}, []string{"メール", "メールアドレス", "Eメール"}},
		{"phone", []string{"phone", "tel", "telephone"}, []string{"電話", "電話番号", "TEL"}},
		{"fax", []string{"fax"}, []string{"FAX", "ファックス", "FAX番号"}},
		{"website", []string{"website", "url", "web"}, []string{"ウェブサイト", "WEBサイト", "ホームページ", "URL"}},
		{"contact", []string{"contact"}, []string{"担当者", "担当者名"}},
	}
	for _, r := range roles {
		// The bare role ("customer", "最終需要者", "顧客名") is the party's name.
		add(fieldAliases, r.path+".name", append(append([]string{}, r.english...), r.japanese...)...)
		for _, f := range fields {
			field := r.path + "." + f.path
			for _, p := range r.english {
				for _, n := range f.english {
					add(fieldAliases, field, p+"_"+n)
				}
			}
			for _, p := range r.japanese {
				for _, n := range f.japanese {
					add(fieldAliases, field, p+n)
				}
			}
			if r.unprefixd {
				add(fieldAliases, field, f.english...)
				if f.path != "name" {
					add(fieldAliases, field, f.japanese...)
				}
			}
		}
	}
	return itemAliases, fieldAliases
}

func (c *csvReader) Next() (*inputRow, error) {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		line, _ := c.r.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &inputRow{Line: pe.StartLine, Err: &screening.Error{Code: screening.EINVALID, Message: "malformed CSV row",
				Fields: map[string]string{"row": pe.Err.Error()}}}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read csv near line %d: %w", line, err)
		}
		if blank(rec) {
			continue
		}
		return c.row(line, rec), nil
	}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// row turns one record into an inquiry, collecting every cell that cannot be
// read instead of stopping at the first.
func (c *csvReader) row(line int, rec []string) *inputRow {
	row := &inputRow{Line: line}
	type cellError struct {
		item       int
		field, why string
	}
	var bad []cellError
	if len(rec) != len(c.cols) {
		bad = append(bad, cellError{field: "row", why: fmt.Sprintf("has %d cells, the header has %d", len(rec), len(c.cols))})
	}
	inq := &row.Inquiry
	items := map[int]*screening.Item{}
	for i, v := range rec {
		if i >= len(c.cols) || c.cols[i].field == "" {
			continue
		}
		col := c.cols[i]
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if col.item == 0 {
			if err := setField(inq, col.field, v); err != nil {
				bad = append(bad, cellError{field: col.field, why: err.Error()})
			}
			continue
		}
		it, ok := items[col.item]
		if !ok {
			it = &screening.Item{}
			items[col.item] = it
		}
		if err := setItemField(it, col.field, v); err != nil {
			bad = append(bad, cellError{item: col.item, field: itemPath(col.field), why: err.Error()})
		}
	}
	// Items keep the order of their column numbers; an item whose cells are all
	// empty is left out and the rest close up, so items[j] may be item column j+2.
	itemAt := make([]int, 0, len(items)) // slot -> item column number
	for _, n := range c.items {
		if it, ok := items[n]; ok {
			itemAt = append(itemAt, n)
			inq.Items = append(inq.Items, *it)
		}
	}
	if len(bad) > 0 {
		fields := map[string]string{}
		for _, e := range bad {
			path := e.field
			if e.item > 0 {
				path = fmt.Sprintf("items[%d].%s", slices.Index(itemAt, e.item), e.field)
			}
			fields[path] = e.why
		}
		row.Err = &screening.Error{Code: screening.EINVALID, Message: "the row has cells that cannot be read", Fields: fields}
	}
	row.columnOf = func(path string) string {
		if h, ok := c.headerOf[path]; ok {
			return h
		}
		var j int
		if _, err := fmt.Sscanf(path, "items[%d].", &j); err == nil && j >= 0 && j < len(itemAt) {
			return c.headerOf[fmt.Sprintf("item%d.%s", itemAt[j], path[strings.Index(path, "].")+2:])]
		}
		return ""
	}
	return row
}

// itemPath is the path under items[i] that the engine's validation names for
// an item column's field.
func itemPath(field string) string {
	switch {
	case field == "quantity_unit":
		return "specs.quantity_unit"
	case strings.HasPrefix(field, "spec:"):
		return "specs." + strings.TrimPrefix(field, "spec:")
	}
	return field
}

// setField stores one inquiry or party cell.
func setField(inq *screening.Inquiry, field, v string) error {
	switch field {
	case "reference":
		inq.Reference = v
	case "deal":
		inq.Deal = v
	case "received_at":
		t, err := parseReceivedAt(v)
		if err != nil {
			return err
		}
		inq.ReceivedAt = t
	case "affiliates":
		inq.Affiliates = splitList(v)
	case "destination_country":
		inq.DestinationCountry = countryCode(v)
	case "end_use":
		inq.EndUse = v
	default:
		role, f, ok := strings.Cut(field, ".")
		if !ok {
			return fmt.Errorf("unknown field %s", field)
		}
		var p *screening.Party
		switch role {
		case "customer":
			p = &inq.Customer
		case "end_user":
			if inq.EndUser == nil {
				inq.EndUser = &screening.Party{}
			}
			p = inq.EndUser
		case "payer":
			if inq.Payer == nil {
				inq.Payer = &screening.Party{}
			}
			p = inq.Payer
		case "consignee":
			if inq.Consignee == nil {
				inq.Consignee = &screening.Party{}
			}
			p = inq.Consignee
		default:
			return fmt.Errorf("unknown party %s", role)
		}
		switch f {
		case "name":
			p.Name = v
		case "country":
			p.Country = countryCode(v)
		case "address":
			p.Address = v
		case "email":
			p.Email = v
		case "phone":
			p.Phone = v
		case "fax":
			p.Fax = v
		case "website":
			p.Website = v
		case "contact":
			p.Contact = v
		default:
			return fmt.Errorf("unknown party field %s", f)
		}
	}
	return nil
}

// setItemField stores one item cell.
func setItemField(it *screening.Item, field, v string) error {
	switch {
	case field == "product":
		it.Product = v
	case field == "description":
		it.Description = v
	case field == "hs_code":
		it.HSCode = norm.NFKC.String(v)
	case field == "control_entry":
		it.ControlEntry = v
	case field == "quantity":
		q, err := parseNumber(v)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		it.Quantity = q
	case field == "quantity_unit":
		setSpec(it, "quantity_unit", v)
	case field == "specs":
		specs, err := parseSpecs(v)
		if err != nil {
			return err
		}
		for k, val := range specs {
			if it.Specs == nil {
				it.Specs = map[string]any{}
			}
			it.Specs[k] = val
		}
	case strings.HasPrefix(field, "spec:"):
		setSpec(it, strings.TrimPrefix(field, "spec:"), specValue(v))
	default:
		return fmt.Errorf("unknown item field %s", field)
	}
	return nil
}

func setSpec(it *screening.Item, k string, v any) {
	if it.Specs == nil {
		it.Specs = map[string]any{}
	}
	it.Specs[k] = v
}

// parseNumber reads 2, 1,000, 0.8 and full-width digits.
func parseNumber(v string) (float64, error) {
	v = strings.ReplaceAll(norm.NFKC.String(v), ",", "")
	return strconv.ParseFloat(strings.TrimSpace(v), 64)
}

// parseSpecs reads a specs cell: a JSON object, or key=value pairs separated by
// semicolons ("axes=5; positioning_accuracy_um=0.8").
func parseSpecs(v string) (map[string]any, error) {
	out := map[string]any{}
	if strings.HasPrefix(v, "{") {
		dec := json.NewDecoder(strings.NewReader(v))
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("not a JSON object: %v", err)
		}
		return out, nil
	}
	for _, part := range strings.Split(norm.NFKC.String(v), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			k, val, ok = strings.Cut(part, ":")
		}
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value (write specs as axes=5; positioning_accuracy_um=0.8)", part)
		}
		out[k] = specValue(strings.TrimSpace(val))
	}
	return out, nil
}

// specValue keeps numbers and booleans typed, as the JSON API would carry them.
func specValue(v string) any {
	if f, err := parseNumber(v); err == nil {
		return f
	}
	switch strings.ToLower(v) {
	case "true", "yes":
		return true
	case "false", "no":
		return false
	}
	return v
}

func splitList(v string) []string {
	parts := strings.FieldsFunc(norm.NFKC.String(v), func(r rune) bool { return r == ';' || r == '|' || r == '\n' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// countryCode accepts ISO codes and country names in English or Japanese
// (中国, Iran); an unknown name is passed on for validation to reject.
func countryCode(v string) string {
	if len(v) == 2 {
		return v
	}
	if code := country.Code(v); code != "" {
		return code
	}
	return v
}

// parseReceivedAt accepts an RFC 3339 time or a date (midnight UTC). A time of
// day without an offset is refused: it could be JST or UTC.
func parseReceivedAt(v string) (time.Time, error) {
	v = norm.NFKC.String(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.DateOnly, "2006/01/02", "2006/1/2", "2006-1-2"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be an RFC 3339 time with an offset (2026-11-20T10:00:00+09:00) or a date (2026-11-20)")
}
