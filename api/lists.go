package api

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/names"
)

// listInfo is one source as GET /v1/lists shows it.
type listInfo struct {
	Source     string    `json:"source"`
	Name       string    `json:"name"`
	NameJA     string    `json:"name_ja"`
	Version    string    `json:"version"`
	Entries    int       `json:"entries"`
	ImportedAt time.Time `json:"imported_at"`
	AgeSeconds int64     `json:"age_seconds"`
	Files      []string  `json:"files,omitempty"`
	Loaded     bool      `json:"loaded"` // this replica screens against this version
}

// getLists is GET /v1/lists: what the store holds and what this replica uses.
func (s *Server) getLists(c *gin.Context) {
	metas, err := s.store.Snapshots(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	cur := s.lists.Current()
	out := struct {
		Version  string     `json:"version"`
		LoadedAt *time.Time `json:"loaded_at,omitempty"`
		Lists    []listInfo `json:"lists"`
	}{Version: s.lists.Version(), Lists: []listInfo{}}
	if cur != nil {
		out.LoadedAt = &cur.LoadedAt
	}
	now := s.now()
	for _, m := range metas {
		en, ja := screening.ListName(m.Source)
		out.Lists = append(out.Lists, listInfo{
			Source: m.Source, Name: en, NameJA: ja, Version: m.Version, Entries: m.Count,
			ImportedAt: m.ImportedAt, AgeSeconds: int64(now.Sub(m.ImportedAt).Seconds()), Files: m.Files,
			Loaded: cur != nil && cur.SourceVersion(m.Source) == m.Version,
		})
	}
	c.JSON(http.StatusOK, out)
}

// searchHit is one entry found by GET /v1/search.
type searchHit struct {
	EntryKey    string              `json:"entry_key"`
	List        string              `json:"list"`
	ListName    string              `json:"list_name"`
	SourceID    string              `json:"source_id"`
	Kind        screening.EntryKind `json:"kind"`
	PrimaryName string              `json:"primary_name"`
	MatchedName string              `json:"matched_name"`
	// MatchedNameFrom is the listed name MatchedName was read out of, when
	// the list writes several spellings in one name.
	MatchedNameFrom string            `json:"matched_name_from,omitempty"`
	WeakAlias       bool              `json:"weak_alias,omitempty"`
	Score           float64           `json:"score"`
	Match           bool              `json:"match"`
	Strong          bool              `json:"strong"`
	Countries       []string          `json:"countries,omitempty"`
	Programs        []string          `json:"programs,omitempty"`
	SourceURL       string            `json:"source_url,omitempty"`
	Explanation     names.Comparison  `json:"explanation"`
	Country         float64           `json:"country_adjustment,omitempty"`
	Attributes      map[string]string `json:"attributes,omitempty"`
}

// search is GET /v1/search?q=NAME[&country=CN][&limit=10]: list entries ranked
// by name score, each with the explanation of its score.
func (s *Server) search(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	if q == "" || !utf8.ValidString(q) || utf8.RuneCountInString(q) > 300 {
		fail(c, invalid("q", "a name of 1 to 300 characters is required"))
		return
	}
	limit, err := queryLimit(c, 10, 100)
	if err != nil {
		fail(c, err)
		return
	}
	country := strings.ToUpper(strings.TrimSpace(c.Query("country")))
	if country != "" && (len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z') {
		fail(c, invalid("country", "must be an ISO 3166-1 alpha-2 code such as JP or CN"))
		return
	}
	set := s.lists.Current()
	if set == nil {
		fail(c, screening.Errorf(screening.EUNAVAILABLE, "no denied-party lists are loaded"))
		return
	}
	hits := set.Search(q, names.SearchOptions{Country: country, Limit: limit, MinScore: 0.5})
	out := struct {
		Query        string      `json:"query"`
		Country      string      `json:"country,omitempty"`
		ListsVersion string      `json:"lists_version"`
		Threshold    float64     `json:"threshold"`
		Results      []searchHit `json:"results"`
	}{Query: q, Country: country, ListsVersion: set.Version, Threshold: names.DefaultThreshold, Results: make([]searchHit, 0, len(hits))}
	for _, h := range hits {
		en, _ := screening.ListName(h.Entry.Source)
		out.Results = append(out.Results, searchHit{
			EntryKey: h.Entry.Key(), List: h.Entry.Source, ListName: en, SourceID: h.Entry.SourceID, Kind: h.Entry.Kind,
			PrimaryName: h.Entry.PrimaryName(), MatchedName: h.Name, MatchedNameFrom: h.Entry.NameFrom(h.Name), WeakAlias: h.Weak, Score: h.Score, Match: h.Match,
			Strong: h.Strong, Countries: h.Entry.Countries, Programs: h.Entry.Programs, SourceURL: h.Entry.SourceURL,
			Explanation: h.Comparison, Country: h.CountryAdjustment, Attributes: h.Entry.Attributes,
		})
	}
	c.JSON(http.StatusOK, out)
}

// compareNames is POST /v1/names/compare {"a": "...", "b": "..."}: the score,
// the match at the default threshold, and why.
func (s *Server) compareNames(c *gin.Context) {
	var req struct {
		A         string  `json:"a"`
		B         string  `json:"b"`
		Threshold float64 `json:"threshold,omitempty"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	fields := map[string]string{}
	for name, v := range map[string]string{"a": req.A, "b": req.B} {
		if strings.TrimSpace(v) == "" {
			fields[name] = "required"
		} else if utf8.RuneCountInString(v) > 300 {
			fields[name] = "at most 300 characters"
		}
	}
	if req.Threshold < 0 || req.Threshold >= 1 {
		fields["threshold"] = "must be within [0, 1)"
	}
	if len(fields) > 0 {
		fail(c, &screening.Error{Code: screening.EINVALID, Message: "invalid names", Fields: fields})
		return
	}
	c.JSON(http.StatusOK, names.Compare(req.A, req.B, names.CompareOptions{Threshold: req.Threshold}))
}
