package web

import (
	"fmt"

	"github.com/hikiai/hikiai/screening"
)

// gauge is the score gauge: a half circle from 0 (left) to 100 (right), the
// level bands as a thin outer ring and the score as a thick arc inside it,
// with the number in the middle. The SVG paths use pathLength="100", so band
// and score lengths are plain scores and nothing is computed per score.
type gauge struct {
	Score  int
	Level  string // low, medium, high: the CSS class of the arc
	Bands  []gaugeBand
	Label  string // the accessible description: "Risk score 72 of 100: high"
	Medium int
	High   int
}

type gaugeBand struct {
	Class  string
	Length int    // dash length on the 0..100 path
	Offset string // negative dash offset: where the band starts
}

func newGauge(l lang, score int, level screening.Level, sc screening.Scoring) gauge {
	score = min(max(score, 0), 100)
	medium, high := sc.MediumFrom, sc.HighFrom
	if medium <= 0 || high <= 0 || medium > high {
		medium, high = 25, 60 // no settings (a test server): the shipped defaults
	}
	g := gauge{
		Score: score, Level: string(level), Medium: medium, High: high,
		Label: l.F("gauge.label", score, l.T("level."+string(level))),
		Bands: []gaugeBand{
			{Class: "band-low", Length: medium, Offset: "0"},
			{Class: "band-medium", Length: high - medium, Offset: fmt.Sprint(-medium)},
			{Class: "band-high", Length: 100 - high, Offset: fmt.Sprint(-high)},
		},
	}
	return g
}
