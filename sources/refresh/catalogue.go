package refresh

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hikiai/hikiai/sources"
)

//go:embed catalogue.yaml
var builtin []byte

// Catalogue says where each list is published.
type Catalogue struct {
	Lists []List `yaml:"lists"`
}

// List is one list and the files it is imported from.
type List struct {
	Source string `yaml:"source"` // list code ("ofac_sdn")
	Format string `yaml:"format"` // import format ("ofac_csv")
	Note   string `yaml:"note,omitempty"`
	Files  []File `yaml:"files"`
}

// File is one published file: a fixed URL, or a page that links to it.
type File struct {
	// Name is the file's name on disk. OFAC sets are recognised by their
	// published names (sdn.csv, add.csv, ...), so those keep them.
	Name string `yaml:"name"`
	URL  string `yaml:"url,omitempty"`
	Page string `yaml:"page,omitempty"`
	// Link is a regular expression the href must match. When several links
	// match, the greatest first group wins (the date in a file name).
	Link string `yaml:"link,omitempty"`
	// Text, when set, must match the link's text or its parent element's.
	Text string `yaml:"text,omitempty"`

	link, text *regexp.Regexp
}

// Builtin returns the catalogue that ships with Hikiai.
func Builtin() *Catalogue {
	c, err := ParseCatalogue(bytes.NewReader(builtin))
	if err != nil {
		panic(fmt.Sprintf("refresh: the embedded catalogue is invalid: %v", err)) // caught by the tests
	}
	return c
}

// BuiltinYAML is the embedded catalogue as written, comments included, to
// start a catalogue of one's own from.
func BuiltinYAML() []byte { return bytes.Clone(builtin) }

// ParseCatalogue reads and validates a catalogue. Errors name the field
// (`lists[2].files[0].url`).
func ParseCatalogue(r io.Reader) (*Catalogue, error) {
	dec := yaml.NewDecoder(io.LimitReader(r, 1<<20))
	dec.KnownFields(true)
	var c Catalogue
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("catalogue: empty")
		}
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return &c, nil
}

func (c *Catalogue) validate() error {
	if len(c.Lists) == 0 {
		return errors.New("lists: at least one list is required")
	}
	seen := map[string]bool{}
	for i := range c.Lists {
		l := &c.Lists[i]
		at := fmt.Sprintf("lists[%d]", i)
		src, ok := sources.SourceOf(l.Format)
		if !ok {
			return fmt.Errorf("%s.format: unknown format %q (known: %s)", at, l.Format, strings.Join(sources.Formats(), ", "))
		}
		if l.Source != src {
			return fmt.Errorf("%s.source: format %s makes list %q, not %q", at, l.Format, src, l.Source)
		}
		if seen[l.Source] {
			return fmt.Errorf("%s.source: %s is listed twice", at, l.Source)
		}
		seen[l.Source] = true
		if len(l.Files) == 0 {
			return fmt.Errorf("%s.files: at least one file is required", at)
		}
		names := map[string]bool{}
		for j := range l.Files {
			f := &l.Files[j]
			fat := fmt.Sprintf("%s.files[%d]", at, j)
			if f.Name == "" || f.Name != filepath.Base(f.Name) || strings.HasPrefix(f.Name, ".") || strings.ContainsAny(f.Name, `/\`) {
				return fmt.Errorf("%s.name: %q must be a plain file name", fat, f.Name)
			}
			if names[strings.ToLower(f.Name)] {
				return fmt.Errorf("%s.name: %s is listed twice", fat, f.Name)
			}
			names[strings.ToLower(f.Name)] = true
			if err := f.compile(fat); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *File) compile(at string) error {
	switch {
	case f.URL != "" && f.Page != "":
		return fmt.Errorf("%s: give url or page, not both", at)
	case f.URL != "":
		if f.Link != "" || f.Text != "" {
			return fmt.Errorf("%s.link: link and text go with page, not url", at)
		}
		return checkURL(at+".url", f.URL)
	case f.Page == "":
		return fmt.Errorf("%s: url or page is required", at)
	}
	if err := checkURL(at+".page", f.Page); err != nil {
		return err
	}
	if f.Link == "" {
		return fmt.Errorf("%s.link: required with page", at)
	}
	var err error
	if f.link, err = regexp.Compile(f.Link); err != nil {
		return fmt.Errorf("%s.link: %w", at, err)
	}
	if f.Text != "" {
		if f.text, err = regexp.Compile(f.Text); err != nil {
			return fmt.Errorf("%s.text: %w", at, err)
		}
	}
	return nil
}

func checkURL(at, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", at, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", at, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials in the URL are not accepted", at)
	}
	return nil
}

// Only keeps the named lists, in the catalogue's order; an unknown name is
// an error that lists the known ones.
func (c *Catalogue) Only(names []string) (*Catalogue, error) {
	if len(names) == 0 {
		return c, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := &Catalogue{}
	var known []string
	for _, l := range c.Lists {
		known = append(known, l.Source)
		if want[l.Source] {
			out.Lists = append(out.Lists, l)
			delete(want, l.Source)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("only: no list %q in the catalogue (it has %s)", n, strings.Join(known, ", "))
	}
	return out, nil
}
