// Package screeningtest holds helpers for tests across the project: where the
// shared public data lives, and how a test behaves when it is missing.
package screeningtest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the path of ../shared/data/<parts...> beside the module root
// (HIKIAI_SHARED_DATA overrides the data folder). When the path does not exist
// the test is skipped on a developer machine and fails under CI, where the data
// is always present.
func SharedData(tb testing.TB, parts ...string) string {
	tb.Helper()
	base := os.Getenv("HIKIAI_SHARED_DATA")
	if base == "" {
		root, err := ModuleRoot()
		if err != nil {
			tb.Fatalf("shared data: %v", err)
		}
		base = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(append([]string{base}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared data %s missing under CI: %v", p, err)
		}
		tb.Skipf("shared data %s not present: %v", p, err)
	}
	return p
}

// ModuleRoot walks up from the working directory to the folder holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
