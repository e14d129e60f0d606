package sources

import (
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hikiai/hikiai/sources/internal/listkit"
	"github.com/hikiai/hikiai/sources/meti"
	"github.com/hikiai/hikiai/sources/mof"
)

// Detect names the format of a list from its file names and first bytes.
// A set holding sdn.csv or cons_prim.csv is an OFAC set; a single file is
// recognised by its XML root, its JSON shape, its CSV header or, for xlsx
// workbooks, the header row of its sheets.
func Detect(files ...string) (string, error) {
	files, err := expand(files)
	if err != nil {
		return "", err
	}
	for _, p := range files {
		switch strings.ToLower(filepath.Base(p)) {
		case "sdn.csv":
			return FormatOFAC, nil
		case "cons_prim.csv":
			return FormatOFACCons, nil
		}
	}
	if len(files) != 1 {
		return "", fmt.Errorf("sources: cannot tell the format of %d files without sdn.csv or cons_prim.csv among them", len(files))
	}
	p := files[0]
	fh, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("sources: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	head, _ := br.Peek(4096)
	if len(head) >= 4 && string(head[:4]) == "PK\x03\x04" {
		return detectWorkbook(br, p)
	}
	text := strings.TrimPrefix(string(head), "\xef\xbb\xbf")
	trimmed := strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(trimmed, "<"):
		return detectXML(text, p)
	case strings.HasPrefix(trimmed, "{"):
		if strings.Contains(text, `"results"`) {
			return FormatCSLJSON, nil
		}
		return "", fmt.Errorf("sources: %s is JSON without a \"results\" array; only the CSL JSON shape is known", p)
	}
	if f := detectHeader(text); f != "" {
		return f, nil
	}
	return "", fmt.Errorf("sources: cannot tell the format of %s; name one of %s", p, strings.Join(Formats(), ", "))
}

// detectHeader reads the first record of a CSV or tab-separated text (a
// header cell may span lines) and names the list whose header it is.
func detectHeader(text string) string {
	for _, sep := range []rune{',', '\t'} {
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma = sep
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		rec, err := cr.Read()
		if err != nil || len(rec) < 2 {
			continue
		}
		cols := map[string]bool{}
		for _, c := range rec {
			cols[strings.ToLower(strings.TrimSpace(c))] = true
		}
		switch {
		case meti.IsHeader(rec):
			return FormatMETICSV
		case sep == '\t' && cols["name"] && cols["effective_date"]:
			return FormatDPL
		case sep == ',' && cols["source"] && cols["name"] && (cols["entity_number"] || cols["alt_names"]):
			return FormatCSLCSV
		}
	}
	return ""
}

func detectXML(text, path string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(text))
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return "", fmt.Errorf("sources: %s: %w", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "CONSOLIDATED_LIST":
				return FormatUN, nil
			case "export":
				return FormatEU, nil
			case "Designations":
				return FormatUK, nil
			}
			return "", fmt.Errorf("sources: %s has the XML root %s, which no known list uses", path, se.Name.Local)
		}
	}
	return "", fmt.Errorf("sources: %s has no XML root element in its first bytes", path)
}

var regimeSheet = regexp.MustCompile(`^\d+\s*[.．]`)

func detectWorkbook(r io.Reader, path string) (string, error) {
	wb, err := listkit.OpenWorkbook(r)
	if err != nil {
		return "", listkit.Wrap(path, "", "not a readable xlsx workbook", err)
	}
	defer wb.Close()
	// Sheet names settle most workbooks without reading any cell (reading
	// rows loads the shared strings, the slow part of a large workbook):
	// METI names its sheet ユーザーリスト, MOF numbers one sheet per regime.
	numbered := 0
	for _, sheet := range wb.GetSheetList() {
		if strings.Contains(sheet, "ユーザーリスト") {
			return FormatMETIXLSX, nil
		}
		if regimeSheet.MatchString(sheet) {
			numbered++
		}
	}
	if numbered >= 5 {
		return FormatMOFXLSX, nil
	}
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			continue
		}
		for i, row := range rows {
			if i > 20 {
				break
			}
			if meti.IsHeader(row) {
				return FormatMETIXLSX, nil
			}
			if mof.IsHeader(row) {
				return FormatMOFXLSX, nil
			}
		}
	}
	return "", fmt.Errorf("sources: %s is a workbook without the METI or MOF list header", path)
}
