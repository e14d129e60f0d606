// Package refresh downloads the denied-party lists from their publishers and
// imports those that changed.
//
// A catalogue (catalogue.yaml, or the operator's own) says where each list is
// published: a fixed URL, or a page that links to a file whose name changes
// with every revision (METI, MOF). Each file is asked for with the ETag and
// Last-Modified the publisher gave last time, so an unchanged list costs a
// 304 and no parse. The files of the last successful import are kept in the
// refresh folder with those validators (state.json): an OFAC set whose
// sdn.csv changed is imported with the add.csv and alt.csv already on disk.
//
// A list is imported only when its files are all in hand, through the same
// path as `hikiai sources import`, so a file that does not parse is refused
// whole and the list's previous snapshot stays in force. One list failing
// does not stop the others.
package refresh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Imported is what an import reports.
type Imported struct {
	Version                 string
	Unchanged               bool
	Entries                 int
	Added, Changed, Removed int
}

// Store is where refreshed lists go: the import of `hikiai sources import`
// and the versions of the lists now in force.
type Store interface {
	Import(ctx context.Context, format string, files []string) (*Imported, error)
	Versions(ctx context.Context) (map[string]string, error)
}

// Status of one list after a refresh.
const (
	StatusNotModified = "not_modified" // every file answered 304, or came back byte for byte the same
	StatusUnchanged   = "unchanged"    // new files, same entries: the list's version did not change
	StatusImported    = "imported"     // a new version is in force
	StatusFailed      = "failed"       // nothing changed in the store; see Err
)

// Outcome is what happened to one list.
type Outcome struct {
	Source   string
	Status   string
	Imported *Imported // set when an import ran
	Files    []FileOutcome
	Err      error // without the list's name, which is Source
	Took     time.Duration
}

// FileOutcome is what happened to one file of a list.
type FileOutcome struct {
	Name        string
	URL         string // after following the page's link
	NotModified bool
	Size        int64
}

// Refresher refreshes the lists of a catalogue into a store.
type Refresher struct {
	Catalogue *Catalogue
	Fetcher   *Fetcher
	Store     Store
	Dir       string // the kept files and state.json
	Force     bool   // ask for every file unconditionally and import even if it is byte for byte the same
	Now       func() time.Time
}

type state struct {
	Lists map[string]*listState `json:"lists"`
}

type listState struct {
	// Version is the list's version in the store after the last refresh. If the
	// store holds another (an import by hand, a new store), the kept validators
	// say nothing about it and the files are asked for whole.
	Version   string               `json:"version"`
	CheckedAt time.Time            `json:"checked_at"`
	Files     map[string]fileState `json:"files"`
}

type fileState struct {
	URL        string     `json:"url"`
	Validators Validators `json:"validators"`
	SHA256     string     `json:"sha256"`
	Size       int64      `json:"size"`
	FetchedAt  time.Time  `json:"fetched_at"`
}

// Run refreshes every list of the catalogue, one after another, and returns
// an outcome for each. The error is for what stops every list (the folder, the
// store's versions); one list's failure is in its outcome.
func (r *Refresher) Run(ctx context.Context) ([]Outcome, error) {
	if err := os.MkdirAll(r.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	unlock, err := lockDir(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	defer unlock()
	st, err := r.loadState()
	if err != nil {
		return nil, err
	}
	versions, err := r.Store.Versions(ctx)
	if err != nil {
		return nil, fmt.Errorf("refresh: read the lists in force: %w", err)
	}
	out := make([]Outcome, 0, len(r.Catalogue.Lists))
	for i := range r.Catalogue.Lists {
		if ctx.Err() != nil {
			break
		}
		l := &r.Catalogue.Lists[i]
		start := r.now()
		o := r.refreshList(ctx, l, st, versions[l.Source])
		o.Took = r.now().Sub(start)
		out = append(out, o)
		if err := r.saveState(st); err != nil {
			return out, err
		}
	}
	return out, ctx.Err()
}

func (r *Refresher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// refreshList fetches the files of one list into a fresh folder, imports them
// if any changed, and only then keeps them and their validators.
func (r *Refresher) refreshList(ctx context.Context, l *List, st *state, inForce string) Outcome {
	o := Outcome{Source: l.Source}
	fail := func(err error) Outcome {
		o.Status, o.Err = StatusFailed, err
		return o
	}
	ls := st.Lists[l.Source]
	conditional := !r.Force && ls != nil && ls.Version != "" && ls.Version == inForce
	keep := filepath.Join(r.Dir, l.Source)
	if err := os.MkdirAll(keep, 0o750); err != nil {
		return fail(err)
	}
	// Left by a refresh that was killed; nobody else uses them under the lock.
	stale, _ := filepath.Glob(filepath.Join(keep, ".incoming-*"))
	for _, d := range stale {
		os.RemoveAll(d)
	}
	incoming, err := os.MkdirTemp(keep, ".incoming-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(incoming)

	paths := make([]string, len(l.Files))
	fresh := map[string]fileState{}
	same := conditional
	for i := range l.Files {
		f := &l.Files[i]
		u, err := r.resolve(ctx, f)
		if err != nil {
			return fail(err)
		}
		kept := filepath.Join(keep, f.Name)
		var prev fileState
		var v Validators
		if ls != nil {
			prev = ls.Files[f.Name]
		}
		if conditional && prev.URL == u && exists(kept) {
			v = prev.Validators
		}
		d, err := r.Fetcher.Get(ctx, u, v, incoming)
		if err != nil {
			return fail(err)
		}
		fo := FileOutcome{Name: f.Name, URL: u, NotModified: d.NotModified, Size: d.Size}
		if d.NotModified {
			paths[i], fo.Size = kept, prev.Size
			o.Files = append(o.Files, fo)
			continue
		}
		// The import knows an OFAC file by its published name.
		paths[i] = filepath.Join(incoming, f.Name)
		if err := os.Rename(d.Path, paths[i]); err != nil {
			return fail(err)
		}
		fresh[f.Name] = fileState{URL: u, Validators: d.Validators, SHA256: d.SHA256, Size: d.Size, FetchedAt: r.now().UTC()}
		same = same && prev.SHA256 == d.SHA256 && exists(kept)
		o.Files = append(o.Files, fo)
	}
	if ls == nil {
		ls = &listState{Files: map[string]fileState{}}
		st.Lists[l.Source] = ls
	}
	if same && !r.Force {
		// Nothing new to read; keep the newer validators so that next time
		// the publisher can answer 304.
		for name, fs := range fresh {
			ls.Files[name] = fs
		}
		ls.CheckedAt = r.now().UTC()
		o.Status = StatusNotModified
		return o
	}
	res, err := r.Store.Import(ctx, l.Format, paths)
	if err != nil {
		return fail(fmt.Errorf("import: %w", err))
	}
	o.Imported = res
	o.Status = StatusImported
	if res.Unchanged {
		o.Status = StatusUnchanged
	}
	for name, fs := range fresh {
		if err := os.Rename(filepath.Join(incoming, name), filepath.Join(keep, name)); err != nil {
			// The import is done; without the file the next refresh asks for it whole.
			delete(ls.Files, name)
			continue
		}
		ls.Files[name] = fs
	}
	ls.Version, ls.CheckedAt = res.Version, r.now().UTC()
	return o
}

// resolve gives a file's URL, reading its page when it has one.
func (r *Refresher) resolve(ctx context.Context, f *File) (string, error) {
	if f.Page == "" {
		return f.URL, nil
	}
	page, err := r.Fetcher.Page(ctx, f.Page)
	if err != nil {
		return "", err
	}
	base, err := url.Parse(f.Page)
	if err != nil {
		return "", err
	}
	return FindLink(page, base, f.link, f.text)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// LastChecked says when each list was last refreshed from its publisher
// without failing, from the state a refresh in dir left (none: empty).
func LastChecked(dir string) map[string]time.Time {
	st, err := loadState(dir)
	out := map[string]time.Time{}
	if err != nil {
		return out
	}
	for src, ls := range st.Lists {
		if !ls.CheckedAt.IsZero() {
			out[src] = ls.CheckedAt
		}
	}
	return out
}

func (r *Refresher) statePath() string { return filepath.Join(r.Dir, "state.json") }

func (r *Refresher) loadState() (*state, error) { return loadState(r.Dir) }

func loadState(dir string) (*state, error) {
	st := &state{Lists: map[string]*listState{}}
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		// Only an optimisation is lost: every file is asked for whole.
		return &state{Lists: map[string]*listState{}}, nil
	}
	if st.Lists == nil {
		st.Lists = map[string]*listState{}
	}
	for _, ls := range st.Lists {
		if ls.Files == nil {
			ls.Files = map[string]fileState{}
		}
	}
	return st, nil
}

// saveState writes state.json whole or not at all.
func (r *Refresher) saveState(st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	tmp, err := os.CreateTemp(r.Dir, ".state-*")
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("refresh: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("refresh: write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), r.statePath()); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	return nil
}
