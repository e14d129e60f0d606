package listkit

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// Workbook size limits: the real METI and MOF files are under 2 MB zipped and
// 20 MB unzipped; anything far larger is refused rather than inflated.
const (
	maxUnzipped    = 256 << 20
	maxUnzippedXML = 64 << 20
)

// OpenWorkbook opens an xlsx file from r with bounded decompression.
func OpenWorkbook(r io.Reader) (*excelize.File, error) {
	return excelize.OpenReader(r, excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: maxUnzippedXML,
	})
}

// ColumnName turns a 0-based column index into its spreadsheet letter ("A", "AB").
func ColumnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return "?"
	}
	return name
}
