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
		parts = append(parts, t.form())
	}
	if len(parts) == 0 {
		for _, t := range toks {
			parts = append(parts, t.form())
		}
	}
	return strings.Join(parts, " ")
}
