package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/sahilm/fuzzy"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// Type-ahead over company names: counterparties Hikiai has seen and the names
// of list entries, ranked by sahilm/fuzzy (a subsequence matcher: good for
// "finish what I am typing", not for deciding whether two names are the same
// company, which the denied_party check does with its own scorer). The same
// search serves the JSON endpoint the script calls and the search page that
// works without it.

// counterpartyRefresh is how long the known-counterparty names are reused
// before they are read again from the store.
const counterpartyRefresh = time.Minute

// maxSuggestNames bounds the counterparty names kept for type-ahead.
const maxSuggestNames = 50000

type nameSource struct {
	store screening.Store
	lists *screening.Lists
	now   func() time.Time
	log   *slog.Logger

	mu       sync.Mutex
	parties  []string
	readAt   time.Time
	listSet  *screening.ListSet
	listRefs []listName
}

// listName is one name of a list entry.
type listName struct {
	name     string
	entryKey string
	source   string
}

type listNames []listName

func (l listNames) String(i int) string { return l[i].name }
func (l listNames) Len() int            { return len(l) }

func newNameSource(st screening.Store, lists *screening.Lists, now func() time.Time, log *slog.Logger) *nameSource {
	return &nameSource{store: st, lists: lists, now: now, log: log}
}

// counterparties returns the names of known counterparties, newest spelling
// of each, read again at most once a minute.
func (n *nameSource) counterparties(ctx context.Context) ([]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.parties != nil && n.now().Sub(n.readAt) < counterpartyRefresh {
		return n.parties, nil
	}
	seen := map[string]bool{}
	out := []string{}
	err := n.store.SeenCounterparties(ctx, time.Time{}, func(h screening.HistoryEntry) error {
		if len(out) < maxSuggestNames && h.Name != "" && !seen[h.Key] {
			seen[h.Key] = true
			out = append(out, h.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	n.parties, n.readAt = out, n.now()
	return out, nil
}

// listEntries returns every primary and strong name of the loaded lists,
// rebuilt when the lists change.
func (n *nameSource) listEntries() listNames {
	set := n.lists.Current()
	n.mu.Lock()
	defer n.mu.Unlock()
	if set == nil {
		return nil
	}
	if set != n.listSet {
		refs := make([]listName, 0, set.Len())
		for _, e := range set.All() {
			for _, nm := range e.Names {
				if nm.Strength != screening.NameWeak {
					refs = append(refs, listName{name: nm.Value, entryKey: e.Key(), source: e.Source})
				}
			}
		}
		n.listSet, n.listRefs = set, refs
	}
	return n.listRefs
}

// part is a piece of a name, matched by the query or not; the page wraps
// matched pieces in <mark>.
type part struct {
	T string `json:"t"`
	M bool   `json:"m,omitempty"`
}

type suggestion struct {
	Name     string `json:"name"`
	Parts    []part `json:"parts"`
	Kind     string `json:"kind"` // counterparty, list
	List     string `json:"list,omitempty"`
	EntryKey string `json:"entry_key,omitempty"`
	URL      string `json:"url,omitempty"`
}

type suggestions struct {
	Query          string       `json:"query"`
	Counterparties []suggestion `json:"counterparties"`
	ListEntries    []suggestion `json:"list_entries"`
}

// splitMatched cuts s into matched and unmatched pieces; idx are the byte
// offsets of the matched characters (as sahilm/fuzzy reports them).
func splitMatched(s string, idx []int) []part {
	matched := make(map[int]bool, len(idx))
	for _, i := range idx {
		matched[i] = true
	}
	var out []part
	for i, r := range s {
		m := matched[i]
		if len(out) > 0 && out[len(out)-1].M == m {
			out[len(out)-1].T += string(r)
			continue
		}
		out = append(out, part{T: string(r), M: m})
	}
	return out
}

// maxQuery bounds the query in characters.
const maxQuery = 100

// search ranks both kinds of names for q; limit per kind.
func (u *UI) search(ctx context.Context, q string, limit int) (suggestions, error) {
	q = strings.TrimSpace(nfkc(q))
	if utf8.RuneCountInString(q) > maxQuery {
		q = string([]rune(q)[:maxQuery])
	}
	out := suggestions{Query: q, Counterparties: []suggestion{}, ListEntries: []suggestion{}}
	if q == "" {
		return out, nil
	}
	parties, err := u.suggests.counterparties(ctx)
	if err != nil {
		return out, err
	}
	for i, m := range fuzzy.Find(q, parties) {
		if i == limit {
			break
		}
		out.Counterparties = append(out.Counterparties, suggestion{Name: m.Str, Parts: splitMatched(m.Str, m.MatchedIndexes), Kind: "counterparty",
			URL: "/ui/counterparty?name=" + url.QueryEscape(m.Str)})
	}
	refs := u.suggests.listEntries()
	seen := map[string]bool{}
	for _, m := range fuzzy.FindFrom(q, refs) {
		if len(out.ListEntries) == limit {
			break
		}
		r := refs[m.Index]
		if seen[r.entryKey] { // one line per entry: its best-ranked name
			continue
		}
		seen[r.entryKey] = true
		out.ListEntries = append(out.ListEntries, suggestion{Name: m.Str, Parts: splitMatched(m.Str, m.MatchedIndexes), Kind: "list",
			List: r.source, EntryKey: r.entryKey})
	}
	return out, nil
}

// suggest is the JSON endpoint of the type-ahead.
func (u *UI) suggest(c *gin.Context) {
	res, err := u.search(c.Request.Context(), c.Query("q"), 8)
	if err != nil {
		u.o.Log.Warn("type-ahead", slog.Any("err", err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "unavailable"})
		return
	}
	l := langOf(c)
	for i := range res.ListEntries {
		res.ListEntries[i].List = l.listName(res.ListEntries[i].List)
	}
	c.JSON(http.StatusOK, res)
}

type searchView struct {
	Query          string
	Counterparties []suggestion
	ListEntries    []suggestion
	Searched       bool
	ExactKey       string // the query's folded key, to offer its counterparty page
}

// searchPage is the type-ahead for people without script: a form and the
// ranked names with the matched characters marked.
func (u *UI) searchPage(c *gin.Context) {
	l := langOf(c)
	q := c.Query("q")
	v := searchView{Query: q}
	if strings.TrimSpace(q) != "" {
		res, err := u.search(c.Request.Context(), q, 20)
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Searched, v.Counterparties, v.ListEntries = true, res.Counterparties, res.ListEntries
		for i := range v.ListEntries {
			v.ListEntries[i].List = l.listName(v.ListEntries[i].List)
		}
		v.ExactKey = names.Key(q)
	}
	u.render(c, http.StatusOK, "search", l.T("search.title"), "search", v)
}
