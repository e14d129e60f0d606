package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsLoadAndValidate(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if s.Scoring.ReviewFrom == 0 || s.Scoring.BlockFrom <= s.Scoring.ReviewFrom || s.DeniedParty.Threshold == 0 || len(s.FreeMailDomains) < 40 {
		t.Fatalf("defaults incomplete: %+v", s.Scoring)
	}
	files, err := Defaults()
	if err != nil || len(files) < 5 {
		t.Fatalf("embedded files: %d (%v)", len(files), err)
	}
}

func TestOverrideDir(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		content string
		wantErr string
		check   func(t *testing.T, dir string)
	}{
		{name: "replaces a default file by name", file: "scoring.yaml",
			content: "scoring: {medium_from: 30, high_from: 70, review_from: 30, block_from: 90, history_limit: 50, check_timeout: 2s}\ncases: {four_eyes_for_block: false}\n"},
		{name: "typo in a key", file: "scoring.yaml", content: "scoring: {medium_frm: 30}\n", wantErr: "scoring.yaml"},
		{name: "out of range", file: "zz_denied.yaml", content: "denied_party: {threshold: 1.5}\n", wantErr: "denied_party: threshold"},
		{name: "not YAML", file: "scoring.yaml", content: "scoring: [\n", wantErr: "scoring.yaml"},
		{name: "retention shorter than a window", file: "scoring.yaml",
			content: "scoring: {medium_from: 30, high_from: 70, review_from: 30, block_from: 90, history_limit: 50, check_timeout: 2s, history_retention_days: 400}\ncases: {four_eyes_for_block: false}\n",
			wantErr: "history_retention_days (400) is shorter than shared_contact.window"},
		{name: "negative retention", file: "scoring.yaml",
			content: "scoring: {medium_from: 30, high_from: 70, review_from: 30, block_from: 90, history_limit: 50, check_timeout: 2s, history_retention_days: -1}\ncases: {four_eyes_for_block: false}\n",
			wantErr: "scoring: history_retention_days"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Load(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Scoring.BlockFrom != 90 || s.Cases.FourEyesForBlock || s.DeniedParty.Threshold == 0 {
				t.Fatalf("override not applied or other defaults lost: %+v %+v", s.Scoring, s.DeniedParty)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing rules dir must be an error")
	}
}
