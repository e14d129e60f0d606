// Package meti reads METI's End User List (外国ユーザーリスト), published as an
// xlsx workbook with the columns No, 国名・地域名, 企業名・組織名, 別名,
// 懸念区分 and 通常兵器; the same columns saved as CSV are accepted too.
//
// Reader: ParseXLSX / ParseCSV turn the file into header-checked rows.
// Mapper: mapRow turns one row into a screening.Entry.
package meti

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
	"golang.org/x/text/unicode/norm"
)

// Source is the list code of the METI End User List.
const Source = "meti_eul"

// columns of the list; cw (通常兵器) is optional because lists before the
// conventional-weapons column was added lack it.
type columns struct {
	no, country, name, alias, concern, cw int
}

// headerMarks identify the columns by a word their Japanese header contains.
// The headers also carry English on a second line, so "Company" etc. are
// accepted for a CSV written by hand.
func findColumns(header []string) (columns, bool) {
	c := columns{no: -1, country: -1, name: -1, alias: -1, concern: -1, cw: -1}
	for i, h := range header {
		h = norm.NFKC.String(listkit.Clean(h))
		switch {
		case c.no < 0 && (strings.HasPrefix(h, "No") || strings.HasPrefix(h, "番号")):
			c.no = i
		case c.country < 0 && (strings.Contains(h, "国名") || strings.Contains(h, "Country")):
			c.country = i
		case c.name < 0 && (strings.Contains(h, "企業名") || strings.Contains(h, "Company")):
			c.name = i
		case c.alias < 0 && (strings.Contains(h, "別名") || strings.Contains(h, "Also Known")):
			c.alias = i
		case c.concern < 0 && (strings.Contains(h, "懸念区分") || strings.Contains(h, "WMD")):
			c.concern = i
		case c.cw < 0 && (strings.Contains(h, "通常兵器") || strings.Contains(h, "Conventional")):
			c.cw = i
		}
	}
	ok := c.no >= 0 && c.country >= 0 && c.name >= 0 && c.alias >= 0 && c.concern >= 0
	return c, ok
}

func (c columns) required() int {
	m := 0
	for _, i := range []int{c.no, c.country, c.name, c.alias, c.concern} {
		if i+1 > m {
			m = i + 1
		}
	}
	return m
}

// ParseXLSX reads the workbook as METI publishes it. The first sheet with a
// recognisable header row is the list; rows before the header are titles.
func ParseXLSX(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	wb, err := listkit.OpenWorkbook(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "not a readable xlsx workbook", err)
	}
	defer wb.Close()
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("sheet %q", sheet), "cannot read rows", err)
		}
		for i, row := range rows {
			if i > 20 {
				break // the header sits at the top; a sheet without one is not the list
			}
			cols, ok := findColumns(row)
			if !ok {
				continue
			}
			header := i
			loc := func(n int) string { return fmt.Sprintf("sheet %q row %d", sheet, header+n+2) }
			return mapRows(ctx, file, rows[i+1:], cols, loc, true)
		}
	}
	return nil, listkit.Errorf(file, "", "no sheet has the End User List header (No, 国名・地域名, 企業名・組織名, 別名, 懸念区分)")
}

// ParseCSV reads the list saved as CSV (UTF-8 or Windows-1252, comma
// separated, header row first).
func ParseCSV(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	text, err := listkit.ReadText(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "cannot read", err)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1 // field counts are checked per row to name the row
	header, err := cr.Read()
	if err != nil {
		return nil, listkit.Wrap(file, listkit.Line(1), "cannot read header", err)
	}
	cols, ok := findColumns(header)
	if !ok {
		return nil, listkit.Errorf(file, listkit.Line(1), "header %q lacks the End User List columns (No, 国名・地域名, 企業名・組織名, 別名, 懸念区分)", header)
	}
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, listkit.Wrap(file, "", "malformed CSV", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, listkit.Errorf(file, listkit.Line(line), "row has %d fields, header has %d", len(rec), len(header))
		}
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	loc := func(n int) string { return listkit.Line(lines[n]) }
	return mapRows(ctx, file, rows, cols, loc, false)
}

// mapRows maps the data rows; loc names row i (an index into rows) in errors.
// Spreadsheet rows lose trailing empty cells, so short rows are padded there;
// a CSV row has been checked for its field count already.
func mapRows(ctx context.Context, file string, rows [][]string, cols columns, loc func(int) string, pad bool) ([]screening.Entry, error) {
	var entries []screening.Entry
	for i, row := range rows {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		if blank(row) {
			continue
		}
		if pad && len(row) < cols.required() {
			row = append(row, make([]string, cols.required()-len(row))...)
		}
		e, err := mapRow(row, cols)
		if err != nil {
			return nil, listkit.Wrap(file, loc(i), "bad entry", err)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no entries")
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

func mapRow(row []string, cols columns) (screening.Entry, error) {
	no := listkit.Clean(norm.NFKC.String(cell(row, cols.no)))
	if n, err := strconv.Atoi(no); err != nil || n <= 0 {
		return screening.Entry{}, fmt.Errorf("entry number (column No) %q is not a positive number", no)
	}
	e := screening.Entry{Source: Source, SourceID: no, Kind: screening.KindOrganisation}
	attrs := listkit.Attrs{}

	var names listkit.Names
	primary, nameAliases := splitNameCell(cell(row, cols.name))
	if primary == "" {
		return e, errors.New("no company or organisation name (企業名・組織名)")
	}
	names.Add(primary, screening.NamePrimary)
	for _, a := range nameAliases {
		names.Add(a, screening.NameStrong)
	}
	for _, a := range splitAliasCell(cell(row, cols.alias)) {
		names.Add(a, screening.NameStrong)
	}
	e.Names = names.List()

	rawCountry := listkit.Clean(cell(row, cols.country))
	code := ""
	for _, l := range listkit.Lines(cell(row, cols.country)) {
		if code = country.Code(l); code != "" {
			break
		}
	}
	if code != "" {
		e.Countries = []string{code}
	} else {
		attrs.Add("unmapped_countries", rawCountry)
	}

	concernText := cell(row, cols.concern)
	codes := concernCodes(concernText)
	if labels := listkit.Lines(concernText); len(labels) > 0 && listkit.HasCJK(labels[0]) {
		attrs.Add("concern", labels[0])
	}
	if cols.cw >= 0 && strings.TrimSpace(cell(row, cols.cw)) != "" {
		codes = append(codes, "CW")
		attrs.Add("conventional_weapons", "通常兵器 (CW)")
	}
	e.Programs = codes
	e.Attributes = attrs.Map()
	return e, nil
}

// concernCodes reads 懸念区分 cells such as "生物、化学、ミサイル、核\nB,C,M,N",
// "ミサイルM" or "核\nＮ" into the codes B, C, M, N in that order.
func concernCodes(s string) []string {
	s = norm.NFKC.String(s)
	has := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'A' && r <= 'Z') }) {
		if f == "B" || f == "C" || f == "M" || f == "N" {
			has[f] = true
		}
	}
	// The Japanese words count as well, for cells where the letters are missing.
	for word, code := range map[string]string{"生物": "B", "化学": "C", "ミサイル": "M"} {
		if strings.Contains(s, word) {
			has[code] = true
		}
	}
	if strings.Contains(strings.ReplaceAll(s, "核兵器", "核"), "核") {
		has["N"] = true
	}
	var out []string
	for _, c := range []string{"B", "C", "M", "N"} {
		if has[c] {
			out = append(out, c)
		}
	}
	return out
}

var (
	// bracketed matches a line that is wholly "(...)" or "（...）".
	bracketed = regexp.MustCompile(`^[(（]\s*(.*?)\s*[)）]$`)
	// trailingCJK matches "Latin name（漢字名）" written on one line.
	trailingCJK = regexp.MustCompile(`^(.*?)\s*[(（]([^()（）]*\p{Han}[^()（）]*)[)）]\s*$`)
)

// splitNameCell returns the primary name and the names in other scripts from
// a 企業名・組織名 cell. Names of Chinese and North Korean organisations carry
// their kanji form on a second line in brackets ("Air Koryo\n(高麗航空)") or
// at the end of the line; Latin lines without brackets continue a name that
// the cell wrapped, and a bracketed Latin line is an acronym kept with it.
func splitNameCell(s string) (string, []string) {
	var primary []string
	var others []string
	for _, line := range listkit.Lines(s) {
		if m := bracketed.FindStringSubmatch(line); m != nil {
			if listkit.HasCJK(m[1]) {
				others = append(others, m[1])
			} else {
				primary = append(primary, line)
			}
			continue
		}
		if m := trailingCJK.FindStringSubmatch(line); m != nil && listkit.HasLatin(m[1]) {
			primary = append(primary, m[1])
			others = append(others, m[2])
			continue
		}
		if listkit.HasCJK(line) && !listkit.HasLatin(line) && len(primary) > 0 {
			others = append(others, line)
			continue
		}
		primary = append(primary, line)
	}
	return listkit.Clean(strings.Join(primary, " ")), others
}

// splitAliasCell reads a 別名 cell. Each alias starts a line with the bullet
// "・"; the same character also joins words inside katakana names, so only a
// bullet at the start of a line (or after white space) starts a new alias.
// A line without a bullet continues the alias before it, unless it switches
// between Latin and CJK writing, in which case it is that alias's other form.
func splitAliasCell(s string) []string {
	var items []string
	cur := -1
	for _, line := range listkit.Lines(s) {
		for j, part := range splitBullets(line) {
			if m := bracketed.FindStringSubmatch(part.text); m != nil && listkit.HasCJK(m[1]) {
				items = append(items, m[1])
				cur = len(items) - 1
				continue
			}
			switch {
			case part.bullet, cur < 0, j > 0:
				items = append(items, part.text)
				cur = len(items) - 1
			case listkit.HasCJK(part.text) != listkit.HasCJK(items[cur]):
				items = append(items, part.text)
				cur = len(items) - 1
			default:
				items[cur] += " " + part.text
			}
		}
	}
	var out []string
	for _, it := range items {
		it = cleanAlias(it)
		if m := trailingCJK.FindStringSubmatch(it); m != nil && listkit.HasLatin(m[1]) {
			out = append(out, cleanAlias(m[1]), m[2])
			continue
		}
		if it != "" {
			out = append(out, it)
		}
	}
	return out
}

type bulletPart struct {
	text   string
	bullet bool
}

// splitBullets cuts a line at bullets that start it or follow white space.
func splitBullets(line string) []bulletPart {
	var parts []bulletPart
	rs := []rune(line)
	start, bullet := 0, false
	for i, r := range rs {
		if r != '・' && r != '･' {
			continue
		}
		if i == 0 || rs[i-1] == ' ' {
			if t := strings.TrimSpace(string(rs[start:i])); t != "" {
				parts = append(parts, bulletPart{t, bullet})
			}
			start, bullet = i+1, true
		}
	}
	if t := strings.TrimSpace(string(rs[start:])); t != "" {
		parts = append(parts, bulletPart{t, bullet})
	}
	return parts
}

// cleanAlias drops list punctuation left at the end of an alias
// ("Novator Design Bureau; and").
func cleanAlias(s string) string {
	s = listkit.Clean(s)
	for _, suf := range []string{"; and", ";", "、"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, suf))
	}
	return s
}

// IsHeader reports whether a row is the header of the End User List.
func IsHeader(row []string) bool {
	_, ok := findColumns(row)
	return ok
}
