// Package names matches the names of companies and persons against
// denied-party lists: it normalises a name (NFKC, width and case, legal
// forms, abbreviations, generic words, kana, Cyrillic and Chinese to Latin),
// compares two names with an explanation, and searches an in-memory index.
// It imports only the standard library and golang.org/x/text, so that
// package screening can import it. See README.md for the pipeline, the
// scorer and the measured figures.
package names

import "strings"

// Key returns a stable folded key of a company or person name: NFKC, width and
// case folded, diacritics and punctuation removed, legal forms (Co., Ltd.,
// GmbH, 株式会社, (株), ООО ...) dropped, common abbreviations expanded
// (Intl → international), kana, Cyrillic and frequent Chinese characters
// written in Latin letters, and the tokens joined by single spaces in their
// original order.
//
// Two requesters whose names have the same Key are "the same company written
// differently": 株式会社ABC商事, ＡＢＣ商事（株） and "ABC Shoji Co., Ltd." all
// give "abc shoji". Key is idempotent: Key(Key(x)) == Key(x).
//
// Titles (Mr, Dr) and the article "the" are dropped too. A name made only of
// such words ("Co., Ltd.") keeps them, so that the key is never empty for a
// name with letters in it. A word with no Latin reading here (Hebrew, Thai,
// a rare kanji) is kept in its own script.
func Key(name string) string {
	toks := analyse(name)
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.Class == ClassLegal || t.Class == ClassTitle || t.Latin == "the" {
			continue
		}
		parts = append(parts, keyForm(t))
	}
	if len(parts) == 0 {
		for _, t := range toks {
			parts = append(parts, keyForm(t))
		}
	}
	return strings.Join(parts, " ")
}

// keyForm is the form a token takes in a key. A word transliterated from
// another script that spells an abbreviation or a number word in Latin
// letters (Greek στ → st) keeps its own script, so that the key of a key is
// the key itself.
func keyForm(t Token) string {
	if t.Script != ScriptLatin && t.Latin != "" {
		if _, ok := abbreviations[t.Latin]; ok {
			return t.Text
		}
		if _, ok := numberWords[t.Latin]; ok {
			return t.Text
		}
	}
	return t.form()
}
