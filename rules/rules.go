// Package rules holds the red-flag settings as data: YAML files embedded in the
// binary, each of which an operator may replace with a file of the same name in
// HIKIAI_RULES_DIR. The loader decodes them into screening.Settings and
// validates them, naming the file and the setting that is wrong.
package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hikiai/hikiai/screening"
)

//go:embed defaults/*.yaml
var defaults embed.FS

// Load reads the embedded defaults, overlays every *.yaml file of dir (when dir is
// not empty) by file name, and returns validated settings. A file in dir whose
// name is not among the defaults is loaded too, after them, so an operator can add
// a section without copying a whole default file.
func Load(dir string) (*screening.Settings, error) {
	files := map[string][]byte{}
	names, err := fs.Glob(defaults, "defaults/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("rules: list defaults: %w", err)
	}
	for _, n := range names {
		b, err := defaults.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("rules: read %s: %w", n, err)
		}
		files[filepath.Base(n)] = b
	}
	if dir != "" {
		over, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, fmt.Errorf("rules: list %s: %w", dir, err)
		}
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("rules: HIKIAI_RULES_DIR %s: %w", dir, err)
		}
		for _, p := range over {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("rules: read %s: %w", p, err)
			}
			files[filepath.Base(p)] = b
		}
	}
	order := make([]string, 0, len(files))
	for n := range files {
		order = append(order, n)
	}
	sort.Strings(order)
	var s screening.Settings
	for _, n := range order {
		if err := decode(n, files[n], &s); err != nil {
			return nil, err
		}
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return &s, nil
}

// decode merges one YAML file into s; unknown keys are errors so a typo in a
// setting name does not silently fall back to a default.
func decode(name string, b []byte, s *screening.Settings) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	for {
		err := dec.Decode(s)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("rules: %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
}

// Defaults returns the embedded files by name, for `hikiai rules dump` and tests.
func Defaults() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(defaults, "defaults", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := defaults.ReadFile(p)
		out[filepath.Base(p)] = b
		return err
	})
	return out, err
}
