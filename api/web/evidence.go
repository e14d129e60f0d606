package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// evNode is one piece of a flag's evidence laid out for a page: a labelled
// value, or a labelled group of nodes (a map), or a list of nodes.
type evNode struct {
	Label    string
	Text     string
	Children []evNode
	List     bool // Children are list items (no labels)
	More     int  // items left out of a long list
}

const (
	evMaxDepth = 6
	evMaxList  = 30
)

// evidenceFirst are keys shown before the others, in this order: what a
// reader looks for first.
var evidenceFirst = []string{"party_name", "matched_name", "matched_name_from", "primary_name", "score", "list_name", "rule", "declared_use", "matched_keywords",
	"items", "name", "shared", "reason", "explanation"}

// evidenceNodes lays out evidence. Checks put typed values (structs, slices of
// structs) in it before it is stored and plain JSON after, so it goes through
// JSON once to look the same either way.
func evidenceNodes(l lang, ev map[string]any) []evNode {
	if len(ev) == 0 {
		return nil
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return []evNode{{Label: "evidence", Text: fmt.Sprint(ev)}}
	}
	var plain map[string]any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return []evNode{{Label: "evidence", Text: string(raw)}}
	}
	return mapNodes(l, plain, 0)
}

func mapNodes(l lang, m map[string]any, depth int) []evNode {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		for i, f := range evidenceFirst {
			if f == k {
				return i
			}
		}
		return len(evidenceFirst)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	out := make([]evNode, 0, len(keys))
	for _, k := range keys {
		n := valueNode(l, m[k], depth+1)
		if n == nil {
			continue
		}
		n.Label = l.evidenceLabel(k)
		out = append(out, *n)
	}
	return out
}

// valueNode lays out one value; nil for an empty one, which is left out.
func valueNode(l lang, v any, depth int) *evNode {
	if depth > evMaxDepth {
		b, _ := json.Marshal(v)
		return &evNode{Text: string(b)}
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil && len(x) >= 20 {
			return &evNode{Text: l.dateTime(t)}
		}
		return &evNode{Text: x}
	case bool:
		if x {
			return &evNode{Text: l.T("ev.yes")}
		}
		return &evNode{Text: l.T("ev.no")}
	case float64:
		return &evNode{Text: strconv.FormatFloat(x, 'g', -1, 64)}
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
		return &evNode{Children: mapNodes(l, x, depth)}
	case []any:
		if len(x) == 0 {
			return nil
		}
		if allScalars(x) {
			parts := make([]string, 0, len(x))
			for _, e := range x {
				if n := valueNode(l, e, depth+1); n != nil {
					parts = append(parts, n.Text)
				}
			}
			return &evNode{Text: strings.Join(parts, "、")}
		}
		n := &evNode{List: true}
		for i, e := range x {
			if i == evMaxList {
				n.More = len(x) - i
				break
			}
			if c := valueNode(l, e, depth+1); c != nil {
				n.Children = append(n.Children, *c)
			}
		}
		return n
	}
	return &evNode{Text: fmt.Sprint(v)}
}

func allScalars(list []any) bool {
	for _, e := range list {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// keyEvidence are the facts of a denied-party hit a reviewer reads first; the
// rest of its evidence stays one click away.
var keyEvidence = []string{"matched_name", "matched_name_from", "primary_name", "score", "strong", "list_name", "explanation"}

// pickEvidence lays out only the given keys of ev, in that order.
func pickEvidence(l lang, ev map[string]any, keys []string) []evNode {
	sub := map[string]any{}
	for _, k := range keys {
		if v, ok := ev[k]; ok {
			sub[k] = v
		}
	}
	nodes := evidenceNodes(l, sub)
	order := map[string]int{}
	for i, k := range keys {
		order[l.evidenceLabel(k)] = i
	}
	sort.SliceStable(nodes, func(i, j int) bool { return order[nodes[i].Label] < order[nodes[j].Label] })
	return nodes
}
