package sources

import (
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/internal/brackets"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// spellOut adds to every entry the names that its listed names hold in
// brackets (see package brackets), after the names the list gives, each
// with From set to the listed name. Every parser's entries pass here, so
// the rule is the same for every list.
func spellOut(entries []screening.Entry) []screening.Entry {
	for i := range entries {
		e := &entries[i]
		var seen map[string]bool
		n := len(e.Names)
		for j := 0; j < n; j++ {
			listed := e.Names[j]
			spellings := brackets.Spell(listed.Value, e.Kind == screening.KindPerson)
			if len(spellings) == 0 {
				continue
			}
			listedScript := listkit.Script(listed.Value)
			if seen == nil {
				seen = make(map[string]bool, n+len(spellings))
				for _, en := range e.Names {
					seen[listkit.NameKey(en.Value)] = true
				}
			}
			for _, s := range spellings {
				k := listkit.NameKey(s.Value)
				if seen[k] {
					continue // the list gives this spelling as a name of its own
				}
				seen[k] = true
				strength := listed.Strength
				if strength == screening.NamePrimary {
					strength = screening.NameStrong
				}
				if s.Short {
					strength = screening.NameWeak
				}
				script := listkit.Script(s.Value)
				if listed.Script != "" && script == listedScript {
					script = listed.Script // the list's own statement of the script
				}
				e.Names = append(e.Names, screening.EntryName{Value: s.Value, Strength: strength, Script: script, From: listed.Value})
			}
		}
	}
	return entries
}
