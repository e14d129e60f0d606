package sources

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hikiai/hikiai/screening/screeningtest"
	"github.com/hikiai/hikiai/sources/ofac"
)

// BenchmarkParse parses the largest real files from memory, so that disk
// speed stays out of the figure:
//
//	go test ./sources -run '^$' -bench Parse -benchtime 3x
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name, format string
		parts        []string
	}{
		{"us_csl_2022_csv", FormatCSLCSV, []string{"us_csl_2022", "consolidated.csv"}},
		{"un_sc_xml", FormatUN, []string{"un_sc", "UN_consolidated_2026-02-27.xml"}},
		{"jp_mof_xlsx", FormatMOFXLSX, []string{"jp_mof", "mof_shisantouketsu_20260305.xlsx"}},
		{"meti_eul_xlsx", FormatMETIXLSX, []string{"meti_eul", "20250929_4.xlsx"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data, err := os.ReadFile(screeningtest.SharedData(b, append([]string{"lists"}, bc.parts...)...))
			if err != nil {
				b.Fatal(err)
			}
			parse, _ := Reader(bc.format)
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := parse(context.Background(), bytes.NewReader(data), bc.name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("ofac_sdn_2021_csv", func(b *testing.B) {
		dir := screeningtest.SharedData(b, "lists", "ofac_sdn_2021")
		var files [4][]byte
		size := 0
		for i, n := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
			d, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				b.Fatal(err)
			}
			files[i], size = d, size+len(d)
		}
		b.SetBytes(int64(size))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_, err := ParseOFAC(context.Background(), ofac.SourceSDN, ofac.Files{
				Main: bytes.NewReader(files[0]), Address: bytes.NewReader(files[1]),
				Alias: bytes.NewReader(files[2]), Comments: bytes.NewReader(files[3]),
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
