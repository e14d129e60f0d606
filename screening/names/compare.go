package names

import (
	"fmt"
	"strings"
)

// DefaultThreshold is the score from which two names are reported as a
// match. It was chosen on the OpenSanctions name benchmark and the pairs in
// testdata/names as the point that keeps recall high without flooding
// reviewers (see README).
const DefaultThreshold = 0.75

// CompareOptions tune one comparison.
type CompareOptions struct {
	// Threshold above which Match is true; 0 means DefaultThreshold.
	Threshold float64
	// Kind of party the names belong to: "person", "organisation",
	// "vessel" ... Empty means guess: names without any legal form or
	// generic word are taken as person names.
	Kind string
}

func (o CompareOptions) threshold() float64 {
	if o.Threshold <= 0 {
		return DefaultThreshold
	}
	return o.Threshold
}

// Comparison is the outcome of comparing two names, ready to be returned
// by an HTTP handler as JSON.
type Comparison struct {
	Score       float64     `json:"score"`
	Match       bool        `json:"match"`
	Threshold   float64     `json:"threshold"`
	Explanation string      `json:"explanation"`
	Pairs       []TokenPair `json:"pairs"`
	// UnpairedA and UnpairedB are the counting words of each name that found
	// no partner.
	UnpairedA []string `json:"unpaired_a,omitempty"`
	UnpairedB []string `json:"unpaired_b,omitempty"`
	// Ignored are legal forms and titles: shown, never counted.
	Ignored   []string  `json:"ignored,omitempty"`
	Penalties []Penalty `json:"penalties,omitempty"`
}

// TokenPair says which words of the two names were paired, how alike they
// are and why.
type TokenPair struct {
	A          string  `json:"a"`
	B          string  `json:"b"`
	Similarity float64 `json:"similarity"`
	// Via is how they were found alike: exact, spelling, phonetic (folded
	// transliteration), reading (kana/kanji reading or gloss), skeleton
	// (consonants, for Arabic script or katakana), katakana reading (the
	// sounds of a katakana word against a Latin one, vowels included),
	// joined (one side's words written together), initial, acronym,
	// given-name variant, particle or script (same non-Latin script).
	Via string `json:"via"`
	// Class is the class of the word on the A side (name, generic, ...).
	Class  Class   `json:"class"`
	Weight float64 `json:"weight"`
}

// Penalty is a deduction from the score with its reason; a negative
// amount is a bonus (same country in a search).
type Penalty struct {
	Reason string  `json:"reason"`
	Amount float64 `json:"amount"`
}

// Compare scores how alike two names are, in 0..1, order-insensitive and
// symmetric, and explains the score.
func Compare(a, b string, opt CompareOptions) Comparison {
	ta, tb := prepare(a), prepare(b)
	r := score(ta, tb, priorWeight, nil, opt.Kind)
	return explain(ta, tb, r, opt.threshold(), priorWeight)
}

// spanText writes the tokens of a span as they appear after folding.
func spanText(ts []*tok, s span) string {
	parts := make([]string, 0, s.to-s.from)
	for _, t := range ts[s.from:s.to] {
		parts = append(parts, t.Text)
	}
	return strings.Join(parts, " ")
}

// explain turns a scored alignment into a Comparison.
func explain(a, b []*tok, r scored, threshold float64, w weightFn) Comparison {
	c := Comparison{
		Score:     round3(r.score),
		Threshold: threshold,
		Pairs:     make([]TokenPair, 0, len(r.pairs)),
		Penalties: r.penalties,
	}
	c.Match = c.Score >= threshold
	usedA := make([]bool, len(a))
	usedB := make([]bool, len(b))
	for _, p := range r.pairs {
		var wt float64
		for i := p.a.from; i < p.a.to; i++ {
			usedA[i] = true
			wt += w(0, i, a[i])
		}
		for j := p.b.from; j < p.b.to; j++ {
			usedB[j] = true
		}
		c.Pairs = append(c.Pairs, TokenPair{
			A: spanText(a, p.a), B: spanText(b, p.b), Similarity: round3(p.sim), Via: p.via,
			Class: a[p.a.from].Class, Weight: round3(wt),
		})
	}
	for i, t := range a {
		switch {
		case !t.counts():
			c.Ignored = append(c.Ignored, t.Text)
		case !usedA[i]:
			c.UnpairedA = append(c.UnpairedA, t.Text)
		}
	}
	for j, t := range b {
		switch {
		case !t.counts():
			c.Ignored = append(c.Ignored, t.Text)
		case !usedB[j]:
			c.UnpairedB = append(c.UnpairedB, t.Text)
		}
	}
	c.Explanation = describe(c, r)
	return c
}

// describe writes a one-line explanation for people.
func describe(c Comparison, r scored) string {
	var b strings.Builder
	if c.Match {
		fmt.Fprintf(&b, "match %.2f (threshold %.2f)", c.Score, c.Threshold)
	} else {
		fmt.Fprintf(&b, "no match %.2f (threshold %.2f)", c.Score, c.Threshold)
	}
	if len(c.Pairs) == 0 {
		b.WriteString(": no words in common")
	} else {
		b.WriteString(": ")
		for i, p := range c.Pairs {
			if i > 0 {
				b.WriteString(", ")
			}
			if p.Via == viaExact {
				fmt.Fprintf(&b, "%s = %s", p.A, p.B)
			} else {
				fmt.Fprintf(&b, "%s ~ %s (%s %.2f)", p.A, p.B, p.Via, p.Similarity)
			}
		}
	}
	fmt.Fprintf(&b, "; covered %.0f%% / %.0f%%", r.covA*100, r.covB*100)
	if len(c.UnpairedA) > 0 || len(c.UnpairedB) > 0 {
		fmt.Fprintf(&b, "; unpaired [%s] / [%s]", strings.Join(c.UnpairedA, " "), strings.Join(c.UnpairedB, " "))
	}
	if len(c.Ignored) > 0 {
		fmt.Fprintf(&b, "; ignored [%s]", strings.Join(c.Ignored, " "))
	}
	for _, p := range c.Penalties {
		fmt.Fprintf(&b, "; %+.2f %s", -p.Amount, p.Reason)
	}
	return b.String()
}
