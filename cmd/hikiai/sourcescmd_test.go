package main

import (
	"reflect"
	"testing"
)

func TestImportGroups(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  [][]string
	}{
		{"one file", []string{"eul.xlsx"}, [][]string{{"eul.xlsx"}}},
		{"each list alone", []string{"a/eul.xlsx", "b/consolidated.csv", "c/un.xml"},
			[][]string{{"a/eul.xlsx"}, {"b/consolidated.csv"}, {"c/un.xml"}}},
		{"an OFAC set stays together", []string{"x/eul.xlsx", "o/sdn.csv", "o/add.csv", "o/ALT.csv", "o/sdn_comments.csv"},
			[][]string{{"x/eul.xlsx"}, {"o/sdn.csv", "o/add.csv", "o/ALT.csv", "o/sdn_comments.csv"}}},
		{"two OFAC sets in two folders", []string{"s/sdn.csv", "c/cons_prim.csv", "s/alt.csv", "c/cons_alt.csv"},
			[][]string{{"s/sdn.csv", "s/alt.csv"}, {"c/cons_prim.csv", "c/cons_alt.csv"}}},
		{"a folder is one import", []string{"lists/ofac_sdn"}, [][]string{{"lists/ofac_sdn"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := importGroups(tt.files); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("importGroups(%v) = %v, want %v", tt.files, got, tt.want)
			}
		})
	}
}
