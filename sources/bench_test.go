package sources

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
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

// BenchmarkListSet builds the list set (entries and name index) of the big
// real lists and reports, beside the build time, what one set keeps on the
// heap: live bytes and heap objects per entry. The objects are what the GC
// marks in every cycle while the set is loaded (see screening/entrypack.go
// and screening/names/compact.go):
//
//	go test ./sources -run '^$' -bench ListSet -benchtime 3x
func BenchmarkListSet(b *testing.B) {
	var snaps []screening.ListSnapshot
	n := 0
	for _, l := range []struct {
		format string
		parts  []string
	}{
		{FormatCSLCSV, []string{"us_csl_2022", "consolidated.csv"}},
		{FormatUN, []string{"un_sc", "UN_consolidated_2026-02-27.xml"}},
		{FormatMOFXLSX, []string{"jp_mof", "mof_shisantouketsu_20260305.xlsx"}},
		{FormatMETIXLSX, []string{"meti_eul", "20250929_4.xlsx"}},
		{FormatOFAC, []string{"ofac_sdn_2021"}},
	} {
		source, es, err := Parse(context.Background(), l.format, screeningtest.SharedData(b, append([]string{"lists"}, l.parts...)...))
		if err != nil {
			b.Fatal(err)
		}
		snaps = append(snaps, screening.ListSnapshot{Source: source, Version: "v", Entries: es})
		n += len(es)
	}
	var set *screening.ListSet
	b.ResetTimer()
	for range b.N {
		var err error
		if set, err = screening.NewListSet(snaps, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// What one set keeps: the heap with it, less the heap without it (the
	// parsed snapshots stay in both).
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(set)
	set = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(float64(int64(with.HeapObjects)-int64(without.HeapObjects))/float64(n), "objects/entry")
	b.ReportMetric(float64(int64(with.HeapAlloc)-int64(without.HeapAlloc))/float64(n), "live-B/entry")
}
