package refresh

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/sources"
)

func TestBuiltinCatalogue(t *testing.T) {
	c := Builtin()
	got := map[string]bool{}
	for _, l := range c.Lists {
		got[l.Source] = true
		for _, f := range l.Files {
			if !strings.HasPrefix(f.URL+f.Page, "https://") {
				t.Errorf("%s/%s: %q is not https", l.Source, f.Name, f.URL+f.Page)
			}
		}
	}
	// Every list Hikiai can read has a place to be refreshed from.
	for _, format := range sources.Formats() {
		src, _ := sources.SourceOf(format)
		if !got[src] {
			t.Errorf("list %s (format %s) is not in the built-in catalogue", src, format)
		}
	}
	if _, err := ParseCatalogue(bytes.NewReader(BuiltinYAML())); err != nil {
		t.Fatal(err)
	}
}

func TestParseCatalogueRefusals(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty", ``, "empty"},
		{"no lists", `lists: []`, "lists: at least one"},
		{"unknown field", "lists:\n  - source: un_sc\n    format: un_xml\n    fils: []", "field fils not found"},
		{"unknown format", "lists:\n  - {source: un_sc, format: un_json, files: [{name: a.xml, url: https://x/a}]}", "lists[0].format: unknown format"},
		{"source and format disagree", "lists:\n  - {source: uk_fcdo, format: un_xml, files: [{name: a.xml, url: https://x/a}]}", `lists[0].source: format un_xml makes list "un_sc"`},
		{"listed twice", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: https://x/a}]}\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: https://x/a}]}", "lists[1].source: un_sc is listed twice"},
		{"no files", "lists:\n  - {source: un_sc, format: un_xml}", "lists[0].files: at least one"},
		{"path in name", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: ../a.xml, url: https://x/a}]}", "lists[0].files[0].name"},
		{"hidden name", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: .state, url: https://x/a}]}", "lists[0].files[0].name"},
		{"same name twice", "lists:\n  - {source: ofac_sdn, format: ofac_csv, files: [{name: sdn.csv, url: https://x/a}, {name: SDN.csv, url: https://x/b}]}", "lists[0].files[1].name: SDN.csv is listed twice"},
		{"url and page", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: https://x/a, page: https://x/p, link: a}]}", "lists[0].files[0]: give url or page, not both"},
		{"neither", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml}]}", "lists[0].files[0]: url or page is required"},
		{"not http", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: 'file:///etc/passwd'}]}", "lists[0].files[0].url"},
		{"relative", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: /a.xml}]}", "lists[0].files[0].url"},
		{"credentials", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: 'https://u:p@x/a'}]}", "lists[0].files[0].url: credentials"},
		{"page without link", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, page: https://x/p}]}", "lists[0].files[0].link: required"},
		{"bad link", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, page: https://x/p, link: '(('}]}", "lists[0].files[0].link"},
		{"bad text", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, page: https://x/p, link: a, text: '['}]}", "lists[0].files[0].text"},
		{"link with url", "lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, url: https://x/a, link: a}]}", "lists[0].files[0].link: link and text go with page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalogue(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCatalogueOnly(t *testing.T) {
	c := Builtin()
	got, err := c.Only([]string{"un_sc", "meti_eul"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Lists) != 2 || got.Lists[0].Source != "meti_eul" || got.Lists[1].Source != "un_sc" {
		t.Fatalf("Only kept %+v, want meti_eul then un_sc", got.Lists)
	}
	if all, _ := c.Only(nil); len(all.Lists) != len(c.Lists) {
		t.Error("Only(nil) should keep every list")
	}
	if _, err := c.Only([]string{"un_sc", "ofac"}); err == nil || !strings.Contains(err.Error(), `no list "ofac"`) {
		t.Fatalf("err = %v, want one naming ofac", err)
	}
}

func FuzzParseCatalogue(f *testing.F) {
	f.Add(BuiltinYAML())
	f.Add([]byte("lists:\n  - {source: un_sc, format: un_xml, files: [{name: a.xml, page: 'https://x/p', link: '(\\d+)', text: 'x'}]}"))
	f.Add([]byte("lists: [&a {source: *a}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCatalogue(bytes.NewReader(b))
		if err != nil {
			return
		}
		// What parses is usable: every page file has its link compiled.
		for _, l := range c.Lists {
			for _, file := range l.Files {
				if file.Page != "" && file.link == nil {
					t.Fatalf("%s/%s: page without a compiled link", l.Source, file.Name)
				}
			}
		}
	})
}
