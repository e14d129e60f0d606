package names

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hikiai/hikiai/screening/internal/strtab"
)

// NameVariant is one name or alias of a record.
type NameVariant struct {
	Value string `json:"value"`
	// Weak marks aliases the list itself calls weak or of low quality
	// (OFAC "weak AKA", UN "low quality"). A weak alias alone never gives a
	// strong match.
	Weak bool `json:"weak,omitempty"`
}

// Record is what the index knows of one list entry.
type Record struct {
	ID        string        `json:"id"`
	Names     []NameVariant `json:"names"`
	Countries []string      `json:"countries,omitempty"` // ISO 3166-1 alpha-2
	Kind      string        `json:"kind,omitempty"`      // person, organisation, vessel, aircraft
}

// SearchOptions tune one search.
type SearchOptions struct {
	// Country of the party screened (ISO alpha-2). A record of the same
	// country scores a little higher, a record that names only other
	// countries a little lower; the country never makes a match by itself.
	Country string
	// CountryOnly drops records that name countries other than Country
	// (records without a country are kept).
	CountryOnly bool
	// Kind keeps only records of this kind (records without a kind are kept).
	Kind string
	// Limit is the most hits returned; 0 means 10.
	Limit int
	// MinScore is the lowest score returned; 0 means 0.5.
	MinScore float64
	// Threshold decides Hit.Match; 0 means DefaultThreshold.
	Threshold float64
}

// Hit is one record found by a search.
type Hit struct {
	// Index is the record's position in the slice given to NewIndex.
	Index int    `json:"index"`
	ID    string `json:"id"`
	// Name is the name or alias that matched best, as the list writes it.
	Name  string  `json:"name"`
	Weak  bool    `json:"weak,omitempty"`
	Score float64 `json:"score"`
	Match bool    `json:"match"`
	// Strong is a match on a strong name at StrongThreshold or above.
	Strong bool `json:"strong"`
	// CountryAdjustment is what the country added to or took from the
	// name score.
	CountryAdjustment float64    `json:"country_adjustment,omitempty"`
	Comparison        Comparison `json:"comparison"`
}

// StrongThreshold is the score from which a match on a strong name counts
// as strong; WeakAliasCap is the most a weak alias can score, below it.
const (
	StrongThreshold = 0.9
	WeakAliasCap    = 0.85
)

// Country modifiers: small against the name score on purpose.
const (
	sameCountryBonus     = 0.03
	otherCountryPenalty  = 0.05
	defaultLimit         = 10
	defaultMinScore      = 0.5
	candidatesPerLimit   = 3
	candidateFloor       = 0.5 // of the best accumulated weight
	minCandidates        = 30
	postingBudget        = 30_000  // postings that may add new candidates, per query
	boostBudget          = 150_000 // postings of common words that only add to found candidates
	fuzzyMinTokenLen     = 3
	maxFuzzyVocabPerTerm = 128
	maxSkeletonVocab     = 64
)

// Index is an in-memory name index over list records. It is immutable once
// built, so any number of goroutines may search it at once, and a service
// can swap a new one in atomically.
//
// Records, names and postings are kept in the pointer-free forms of
// compact.go.
type Index struct {
	nRecords  int
	recIDs    strtab.Table // record ids
	countries idLists      // per record, indices into codes
	codes     []string     // distinct countries and kinds, as the records write them
	kinds     []int32      // per record, index into codes; -1 without a kind

	nameValues strtab.Table // all names, grouped by record
	nameToks   idLists      // per name, vocabulary ids
	nameWeak   []bool       // per name
	first      []int32      // first[r] is the first name of record r; first[len] = number of names
	words      []uint8      // words[r]: counting words of record r's shortest name, for ranking ties

	vocab    vocabulary       // distinct tokens (vocab.go)
	building []tok            // the vocabulary while building
	vocabKey map[string]int32 // token key → vocab id; only while building
	rarity   []float32        // per vocab id, 0.3..1
	postings idLists          // per vocab id, record indices, ascending, unique
	forms    keyedIDs
	grams    keyedIDs       // letter bigrams of words without a Latin reading → vocab ids
	near     neighbourIndex // deletion neighbourhoods of Latin and phonetic forms
	skels    keyedIDs       // skeleton → vocab ids, for kana, Arabic and Han queries
	acronyms keyedIDs       // initials of a name's words → record indices

	idfRef float64
	// scratch holds per-search working memory for reuse.
	scratch *scratchPool
}

// ErrEmptyName is returned for a record name that has no letters or digits.
var ErrEmptyName = errors.New("name has no letters or digits")

// NewIndex analyses the names of all records and builds the index. Names
// are analysed on all cores. A record without any usable name is an error
// naming the record.
func NewIndex(records []Record) (*Index, error) {
	return Build([]Part{{Records: records}}, BuildOptions{})
}

// Part is a run of records of an index being built: new records, whose names
// are analysed, or records [Lo, Hi) of an index built before, taken with the
// analysis that index made of them. A list reload in which one list changed
// takes the others from the loaded index: at 1,000,000 entries analysing the
// names is more than half of the build.
type Part struct {
	Records []Record
	From    *Index
	Lo, Hi  int
}

// BuildOptions tune a build.
type BuildOptions struct {
	// Pace, when set, is called every few hundred records and tokens. It
	// may sleep, so that a build beside live searches leaves them the CPU,
	// and an error from it stops the build (a reload cancelled at shutdown).
	// Names are then analysed on one goroutine.
	Pace func() error
	// Stop, when set and Pace is not, is called as often as Pace would be,
	// from every building goroutine, and an error from it stops the build;
	// the analysis stays on every core. It is for a build that nothing runs
	// beside but that may still be given up (the first load, at shutdown).
	Stop func() error
}

// paceEvery is how many records or tokens a build handles between calls of
// Pace: a few hundred microseconds of work.
const paceEvery = 256

// Build builds an index of the parts' records, in order. A record without
// any usable name is an error naming the record.
func Build(parts []Part, opt BuildOptions) (*Index, error) {
	// Sizes, so that no large slice grows by copying: a goroutine copying
	// hundreds of megabytes cannot be stopped, and holds up a collection
	// and with it every screening (see strtab.Builder.Build).
	nRecords, total, nameBytes, idBytes, tokenIDs, vocab := 0, 0, 0, 0, 0, 0
	for _, p := range parts {
		if p.From == nil {
			nRecords += len(p.Records)
			for _, r := range p.Records {
				total += len(r.Names)
				tokenIDs += 4 * len(r.Names) // names of the real lists average under three tokens
				idBytes += len(r.ID)
				for _, nv := range r.Names {
					nameBytes += len(nv.Value)
				}
			}
			continue
		}
		if p.Lo < 0 || p.Hi < p.Lo || p.Hi > p.From.nRecords {
			return nil, fmt.Errorf("names: records [%d, %d) of an index of %d", p.Lo, p.Hi, p.From.nRecords)
		}
		firstName, endName := int(p.From.first[p.Lo]), int(p.From.first[p.Hi])
		nRecords += p.Hi - p.Lo
		total += endName - firstName
		vocab += p.From.vocab.len()
		tokenIDs += p.From.nameToks.count(firstName, endName)
		idBytes += p.From.recIDs.Bytes(p.Lo, p.Hi)
		nameBytes += p.From.nameValues.Bytes(firstName, endName)
	}
	ix := &Index{nRecords: nRecords, vocabKey: make(map[string]int32, vocab), building: make([]tok, 0, vocab)}
	seed := maphash.MakeSeed()
	acronyms := make(map[string][]int32)
	analysed := make([]analysedNames, len(parts))
	for pi, p := range parts {
		if p.From == nil {
			var err error
			if analysed[pi], err = analyseRecords(p.Records, opt.Pace, opt.Stop); err != nil {
				return nil, err
			}
		}
	}
	check := opt.Pace
	if check == nil {
		check = opt.Stop
	}
	pace := func(n int) error {
		if check == nil || n%paceEvery != 0 {
			return nil
		}
		return check()
	}

	ix.first = make([]int32, nRecords+1)
	ix.words = make([]uint8, nRecords)
	ix.kinds = make([]int32, nRecords)
	ix.nameWeak = make([]bool, 0, total)
	var (
		post               = make([][]int32, 0, vocab)
		nameToks           = idLists{ids: make([]int32, 0, tokenIDs), ends: make([]uint32, 0, total)}
		nameValues, recIDs strtab.Builder
		countries          = make([][]int32, nRecords)
		codeOf             = map[string]int32{}
	)
	nameValues.Grow(total, nameBytes)
	recIDs.Grow(nRecords, idBytes)
	code := func(v string) int32 {
		c, ok := codeOf[v]
		if !ok {
			c = int32(len(ix.codes))
			codeOf[v] = c
			ix.codes = append(ix.codes, v)
		}
		return c
	}
	// addName adds name value of record i with its tokens ts, interned as ids.
	addName := func(i int, value string, weak bool, ts []Token, ids []int32) {
		for _, id := range ids {
			for len(post) <= int(id) {
				post = append(post, nil)
			}
			p := post[id]
			if n := len(p); n == 0 || p[n-1] != int32(i) {
				post[id] = append(p, int32(i))
			}
		}
		if n := countingTokens(ts); n > 0 && (ix.words[i] == 0 || n < int(ix.words[i])) {
			ix.words[i] = uint8(min(n, 255))
		}
		if a := acronymOf(ts); a != "" {
			acronyms[a] = appendUnique(acronyms[a], int32(i))
		}
		nameToks.ids = append(nameToks.ids, ids...)
		nameToks.ends = append(nameToks.ends, uint32(len(nameToks.ids)))
		mustAdd(&nameValues, value)
		ix.nameWeak = append(ix.nameWeak, weak)
	}
	var (
		ids []int32
		ts  []Token
	)
	i := 0
	for pi, p := range parts {
		if p.From != nil {
			// The earlier index's vocabulary ids of these records, mapped
			// to this index's as they are met.
			memo := make([]int32, p.From.vocab.len())
			for k := range memo {
				memo[k] = -1
			}
			for r := p.Lo; r < p.Hi; r, i = r+1, i+1 {
				if err := pace(i); err != nil {
					return nil, err
				}
				ix.first[i] = int32(len(nameToks.ends))
				mustAdd(&recIDs, p.From.recIDs.At(r))
				ix.kinds[i] = -1
				if k := p.From.kinds[r]; k >= 0 {
					ix.kinds[i] = code(p.From.codes[k])
				}
				for _, c := range p.From.countries.at(r) {
					countries[i] = append(countries[i], code(p.From.codes[c]))
				}
				for j := p.From.first[r]; j < p.From.first[r+1]; j++ {
					ids, ts = ids[:0], ts[:0]
					for _, old := range p.From.nameToks.at(int(j)) {
						id := memo[old]
						if id < 0 {
							var t tok
							p.From.vocab.load(old, &t)
							id = ix.internTok(t)
							memo[old] = id
						}
						ids = append(ids, id)
						ts = append(ts, ix.building[id].Token)
					}
					addName(i, p.From.nameValues.At(int(j)), p.From.nameWeak[j], ts, ids)
				}
			}
			continue
		}
		for ri, r := range p.Records {
			if err := pace(i); err != nil {
				return nil, err
			}
			ix.first[i] = int32(len(nameToks.ends))
			mustAdd(&recIDs, r.ID)
			ix.kinds[i] = -1
			if r.Kind != "" {
				ix.kinds[i] = code(r.Kind)
			}
			for _, c := range r.Countries {
				countries[i] = append(countries[i], code(c))
			}
			usable := 0
			for j, nv := range r.Names {
				ts := analysed[pi].of(ri, j)
				ids = ids[:0]
				for _, t := range ts {
					ids = append(ids, ix.intern(t))
				}
				if len(ids) > 0 {
					usable++
				}
				addName(i, nv.Value, nv.Weak, ts, ids)
			}
			if usable == 0 {
				return nil, fmt.Errorf("names: record %d (id %q): %w", i, r.ID, ErrEmptyName)
			}
			i++
		}
	}
	ix.first[nRecords] = int32(len(nameToks.ends))
	for len(post) < len(ix.building) {
		post = append(post, nil)
	}
	ix.postings = flattenLists(post)
	if cap(nameToks.ids)-len(nameToks.ids) > len(nameToks.ids)/8 {
		// New names took fewer tokens than sized for; the index keeps
		// its tables for as long as it is loaded.
		nameToks.ids = slices.Clone(nameToks.ids)
	}
	ix.nameToks = nameToks
	ix.nameValues, ix.recIDs = nameValues.Build(), recIDs.Build()
	ix.countries = flattenLists(countries)
	ix.acronyms = newKeyedIDs(seed, acronyms)

	n := float64(max(nRecords, 1))
	// A token in at most ~10 records counts fully; one in a tenth of all
	// records counts about half.
	ix.idfRef = math.Log(math.Max(n/10, 10))
	ix.rarity = make([]float32, len(ix.building))
	forms := make(map[string][]int32)
	grams := make(map[string][]int32)
	skels := make(map[string][]int32)
	var nb neighbourBuilder
	keys := 0
	for _, t := range ix.building {
		for _, f := range t.forms {
			keys += 2 * (len(f) + 1)
		}
	}
	nb.pairs = make([]keyID, 0, keys)
	for id := range ix.building {
		if err := pace(id); err != nil {
			return nil, err
		}
		t := &ix.building[id]
		ix.rarity[id] = float32(ix.rarityOf(len(ix.postings.at(id))))
		if !t.counts() {
			continue
		}
		for i, f := range t.forms {
			forms[f] = append(forms[f], int32(id))
			if t.wordLike() && len(f) >= fuzzyMinTokenLen && t.Class != ClassGeneric {
				nb.add('r', f, int32(id))
				if t.phon[i] != f {
					nb.add('p', t.phon[i], int32(id))
				}
			}
		}
		if t.wordLike() && (t.Script == ScriptHebrew || t.Script == ScriptOther) {
			for _, g := range runeBigrams(t.Text) {
				grams[g] = appendUnique(grams[g], int32(id))
			}
		}
		if t.wordLike() && len(t.phon) > 0 && t.phon[0] != "" {
			k := "\x02" + t.phon[0]
			forms[k] = append(forms[k], int32(id))
		}
		if t.wordLike() && len(t.skel) >= 2 {
			skels[t.skel] = append(skels[t.skel], int32(id))
			for _, ks := range kanaSkeletons(t.Latin, t.skel) {
				if len(ks) >= 2 {
					skels[ks] = append(skels[ks], int32(id))
				}
			}
		}
		if t.Latin == "" || sameScriptOnly(t.Script) {
			forms["\x00"+t.Text] = append(forms["\x00"+t.Text], int32(id))
		}
	}
	for _, ids := range skels { // for nearestSpellings
		slices.SortFunc(ids, func(a, b int32) int {
			return cmp.Or(strings.Compare(ix.building[a].Latin, ix.building[b].Latin), cmp.Compare(a, b))
		})
	}
	ix.near = nb.build()
	ix.forms, ix.grams, ix.skels = newKeyedIDs(seed, forms), newKeyedIDs(seed, grams), newKeyedIDs(seed, skels)
	ix.vocabKey = nil
	var err error
	if ix.vocab, err = newVocabulary(ix.building); err != nil {
		return nil, err
	}
	ix.building = nil
	ix.scratch = newScratchPool(2*runtime.GOMAXPROCS(0), func() *searchScratch {
		return newSearchScratch(ix.nRecords, ix.vocab.len())
	})
	return ix, nil
}

// analysedNames are the tokens of every name of some records.
type analysedNames struct {
	tokens  [][]Token // by name, the names of record i from offsets[i]
	offsets []int
}

func (a *analysedNames) of(record, name int) []Token { return a.tokens[a.offsets[record]+name] }

// analyseRecords analyses the names of records: on all cores, or on one
// goroutine that calls pace every paceEvery records when pace is set.
func analyseRecords(records []Record, pace, stop func() error) (analysedNames, error) {
	a := analysedNames{offsets: make([]int, len(records)+1)}
	for i, r := range records {
		a.offsets[i+1] = a.offsets[i] + len(r.Names)
	}
	a.tokens = make([][]Token, a.offsets[len(records)])
	run := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j, nv := range records[i].Names {
				a.tokens[a.offsets[i]+j] = analyse(nv.Value)
			}
		}
	}
	if pace != nil {
		for lo := 0; lo < len(records); lo += paceEvery {
			if err := pace(); err != nil {
				return analysedNames{}, err
			}
			run(lo, min(len(records), lo+paceEvery))
		}
		return a, nil
	}
	workers := max(runtime.GOMAXPROCS(0), 1)
	chunk := (len(records) + workers - 1) / workers
	var (
		wg      sync.WaitGroup
		stopped atomic.Pointer[error]
	)
	for lo := 0; lo < len(records); lo += chunk {
		hi := min(len(records), lo+chunk)
		wg.Go(func() {
			for from := lo; from < hi; from += paceEvery {
				if stop != nil {
					if err := stop(); err != nil {
						stopped.CompareAndSwap(nil, &err)
						return
					}
				}
				run(from, min(hi, from+paceEvery))
			}
		})
	}
	wg.Wait()
	if err := stopped.Load(); err != nil {
		return analysedNames{}, *err
	}
	return a, nil
}

// mustAdd adds s to a table of the index. The list set refuses entries past
// 4 GiB encoded before an index is built over them, so a full table is a
// bug, not bad input.
func mustAdd(b *strtab.Builder, s string) {
	if err := b.Add(s); err != nil {
		panic("names: " + err.Error())
	}
}

func appendUnique(s []int32, v int32) []int32 {
	if n := len(s); n > 0 && s[n-1] == v {
		return s
	}
	return append(s, v)
}

// sameScriptOnly reports scripts whose tokens are also looked up by their
// own text (Han and Hangul meet only in their own characters).
func sameScriptOnly(s Script) bool {
	return s == ScriptHan || s == ScriptHangul || s == ScriptHebrew || s == ScriptOther
}

// tokenKey identifies a distinct token in the vocabulary.
func tokenKey(t Token) string {
	var b strings.Builder
	b.WriteByte(byte(t.Script))
	b.WriteByte(byte(t.Class))
	b.WriteString(t.Text)
	b.WriteByte(0)
	b.WriteString(t.Latin)
	for _, a := range t.Alt {
		b.WriteByte(0)
		b.WriteString(a)
	}
	return b.String()
}

func (ix *Index) intern(t Token) int32 {
	k := tokenKey(t)
	if id, ok := ix.vocabKey[k]; ok {
		return id
	}
	id := int32(len(ix.building))
	ix.vocabKey[k] = id
	ix.building = append(ix.building, *newTok(t))
	return id
}

// internTok is intern for a token another index made: its forms are taken as
// they are.
func (ix *Index) internTok(t tok) int32 {
	k := tokenKey(t.Token)
	if id, ok := ix.vocabKey[k]; ok {
		return id
	}
	id := int32(len(ix.building))
	ix.vocabKey[k] = id
	ix.building = append(ix.building, t)
	return id
}

// rarityOf turns a document frequency into a weight factor in 0.3..1.
func (ix *Index) rarityOf(df int) float64 {
	if df <= 0 {
		return 1
	}
	idf := math.Log(float64(ix.nRecords+1) / float64(df))
	return math.Max(0.3, math.Min(1, idf/ix.idfRef))
}

// countingTokens is the number of tokens of a name that count in a score.
func countingTokens(ts []Token) int {
	n := 0
	for _, t := range ts {
		if t.Class != ClassLegal && t.Class != ClassTitle {
			n++
		}
	}
	return n
}

// acronymOf returns the initials of a name of 2 to 5 words (particles
// skipped), so that a query "PLA" finds "People's Liberation Army".
func acronymOf(ts []Token) string {
	var b []byte
	for _, t := range ts {
		if t.Class == ClassParticle || t.Class == ClassLegal || t.Class == ClassTitle {
			continue
		}
		if (t.Class != ClassName && t.Class != ClassGeneric) || t.Script != ScriptLatin || len(t.Latin) < 2 {
			return ""
		}
		b = append(b, t.Latin[0])
	}
	if len(b) < 2 || len(b) > 5 {
		return ""
	}
	return string(b)
}

// runeBigrams are the padded bigrams of a word of a script without a
// Latin reading, by letters, marked so they never collide with Latin ones.
func runeBigrams(w string) []string {
	rs := append(append([]rune{'$'}, []rune(w)...), '$')
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+2 <= len(rs); i++ {
		out = append(out, "\x01"+string(rs[i:i+2]))
	}
	return out
}

// Len is the number of records.
func (ix *Index) Len() int { return ix.nRecords }

// Record returns what the index keeps of the record at index i (rebuilt: the
// caller owns it).
func (ix *Index) Record(i int) Record {
	r := Record{ID: ix.recIDs.At(i), Kind: ix.kind(i)}
	for _, c := range ix.countries.at(i) {
		r.Countries = append(r.Countries, ix.codes[c])
	}
	for n := ix.first[i]; n < ix.first[i+1]; n++ {
		r.Names = append(r.Names, NameVariant{Value: ix.nameValues.At(int(n)), Weak: ix.nameWeak[n]})
	}
	return r
}

// kind is record i's kind, "" when it has none.
func (ix *Index) kind(i int) string {
	if k := ix.kinds[i]; k >= 0 {
		return ix.codes[k]
	}
	return ""
}

// VocabularySize is the number of distinct tokens, for metrics.
func (ix *Index) VocabularySize() int { return ix.vocab.len() }

// searchScratch is per-search working memory, pooled: a dense accumulator
// over records and a counter over vocabulary ids.
type searchScratch struct {
	acc        []float32
	touched    []int32
	candidates []int32
	// credited holds per record the query words (mod 16) that added to acc.
	// It was one byte (mod 8) to stay small, but a name of more than eight
	// counting words then had two words share a bit, and the record that
	// held both lost the second: "China Aerospace Science and Industry
	// Corporation 3rd Academy's 159 Factory" (eleven words) fell out of the
	// candidates of its own exact name among the CASIC entries.
	credited []uint16
	seen     []uint32 // per vocabulary id: the lookup stamp that last saw it
	stamp    uint32
	looked   tok     // the vocabulary token lookup is comparing
	toks     tokPool // the tokens of the names being scored
}

func newSearchScratch(nRecords, nVocab int) *searchScratch {
	return &searchScratch{acc: make([]float32, nRecords), credited: make([]uint16, nRecords), seen: make([]uint32, nVocab)}
}

// scratchPool hands out at most max scratches and makes a search wait for
// one when all are in use. A sync.Pool drops its items at every GC, and a
// pool that makes a new scratch when empty makes one whenever more searches
// than it keeps run at once: at a million records a scratch is about 10 MB
// of fresh memory to fault in and clear, which showed in the latency tail
// (1,000 screenings/s with 64 in flight made one a second). The searches
// are CPU-bound, so a few more than the Ps lose nothing by waiting.
type scratchPool struct {
	free  chan *searchScratch
	mu    sync.Mutex
	made  int
	alloc func() *searchScratch
}

func newScratchPool(max int, alloc func() *searchScratch) *scratchPool {
	return &scratchPool{free: make(chan *searchScratch, max), alloc: alloc}
}

func (p *scratchPool) get() *searchScratch {
	select {
	case sc := <-p.free:
		return sc
	default:
	}
	p.mu.Lock()
	if p.made < cap(p.free) {
		p.made++
		p.mu.Unlock()
		return p.alloc()
	}
	p.mu.Unlock()
	return <-p.free
}

// put returns a scratch got from p. It never blocks: no more than cap(free)
// exist.
func (p *scratchPool) put(sc *searchScratch) { p.free <- sc }

func (s *searchScratch) reset() {
	for _, r := range s.touched {
		s.acc[r] = 0
		s.credited[r] = 0
	}
	s.touched = s.touched[:0]
	s.candidates = s.candidates[:0]
	s.toks.reset()
}

// termMatch is a vocabulary token found for a query token.
type termMatch struct {
	id  int32
	sim float64
	via string
	q   int // query token index
}

// lookup finds the vocabulary tokens alike to query token q: exact forms,
// its own text for Han and Hangul, trigram neighbours verified by pairSim,
// and skeletons for kana, Arabic and Han.
func (ix *Index) lookup(q *tok, qi int, sc *searchScratch, out []termMatch) []termMatch {
	sc.stamp++
	if sc.stamp == 0 { // wrapped: forget every old stamp
		clear(sc.seen)
		sc.stamp = 1
	}
	seen := func(id int32) bool {
		if sc.seen[id] == sc.stamp {
			return true
		}
		sc.seen[id] = sc.stamp
		return false
	}
	add := func(id int32) {
		if seen(id) {
			return
		}
		if !countsClass(ix.vocab.class(id)) {
			return
		}
		v := &sc.looked
		ix.vocab.load(id, v)
		s, via := pairSim(q, v)
		if s >= minPairSim {
			out = append(out, termMatch{id: id, sim: s, via: via, q: qi})
		}
	}
	for _, f := range q.forms {
		for _, id := range ix.forms.get(f) {
			add(id)
		}
	}
	if q.Latin == "" || sameScriptOnly(q.Script) {
		for _, id := range ix.forms.get("\x00" + q.Text) {
			add(id)
		}
	}
	if !q.wordLike() {
		return out
	}
	for _, p := range q.phon {
		for _, id := range ix.forms.get("\x02" + p) {
			add(id)
		}
	}
	if q.Class == ClassGeneric {
		return out // generic words are looked up as written: a misspelt "Trading" finds nothing worth having
	}
	// the consonant skeleton meets transliterations that differ in more
	// than one vowel (Schulze / Scholz, Muhammad / Mohammed), and Arabic
	// script or katakana spellings
	// A katakana word's other skeletons (kanaSkeletonVariants) each get a
	// budget of their own, so that a crowded first one cannot use it up
	// before the Latin spelling's (bcn before btn for プーチン). One may be
	// long enough where the reading's own is not (オブホフ obuhofu: b, but
	// bkb for Obukhov).
	var skels, spellings []string
	switch {
	case q.Script == ScriptKana:
		skels, spellings = kanaSkeletonVariants(q.Latin)
	case len(q.skel) >= 4 || (noVowelScript(q.Script) && len(q.skel) >= 2):
		skels, spellings = []string{q.skel}, []string{q.Latin}
	}
	for i, sk := range skels {
		if len(sk) < 2 {
			continue // indexed from two consonants on
		}
		// skeletons are shared widely: the words spelt most like the
		// query come first, and the cheap filter goes before pairSim
		n := 0
		ix.nearestSpellings(ix.skels.get(sk), spellings[i], func(id int32) bool {
			if sc.seen[id] == sc.stamp {
				return true
			}
			if q.Script == ScriptLatin {
				ix.vocab.load(id, &sc.looked)
				if !plausiblePair(q, &sc.looked) {
					return true
				}
			}
			n++
			add(id)
			return n < maxSkeletonVocab
		})
	}
	// katakana writes a Korean given name as one word where the lists
	// split its syllables (ソンチョル / Song Chol): look up the romanisations
	// of each part; the scorer joins them back (kanaJoinedSim).
	if q.Script == ScriptKana {
		parts, whole := koreanParts(q.Text)
		for _, form := range parts {
			for _, id := range ix.forms.get(form) {
				if wordLikeClass(ix.vocab.class(id)) && !seen(id) {
					out = append(out, termMatch{id: id, sim: 0.8, via: viaJoined, q: qi})
				}
			}
		}
		// and the same syllables written as one word (カンボン / Kangbong)
		for _, form := range whole {
			for _, id := range ix.forms.get(form) {
				add(id)
			}
		}
	}
	// a word written joined on the query side contains indexed words
	// (VladimirPutin ~ Vladimir Putin); the scorer joins them back.
	minPart := 3
	if q.Script == ScriptHan || q.Script == ScriptHangul {
		minPart = 2 // one syllable: 李明 → li ming
	}
	if (q.Script == ScriptLatin || minPart == 2) && len(q.Latin) >= 2*minPart {
		for cut := minPart; cut <= len(q.Latin)-2; cut++ {
			parts := [2]string{q.Latin[:cut], q.Latin[cut:]}
			if len(parts[1]) < minPart {
				parts[1] = "" // SiemensAG: the short tail is a legal form, look up the head
			}
			for _, part := range parts {
				for _, id := range ix.forms.get(part) {
					if wordLikeClass(ix.vocab.class(id)) && !seen(id) {
						out = append(out, termMatch{id: id, sim: 0.8, via: viaJoined, q: qi})
					}
				}
			}
		}
	}
	// given-name variants (Ted ~ Theodore) and the voicing of a first
	// consonant in Korean and Chinese romanisations (Jang ~ Chang)
	if q.Class == ClassName {
		for _, g := range givenNameGroup[q.Latin] {
			for _, n := range givenNameMembers[g] {
				for _, id := range ix.forms.get(n) {
					add(id)
				}
			}
		}
		if len(q.Latin) <= 8 {
			for _, v := range voicingVariants(q.Latin) {
				for _, id := range ix.forms.get(v) {
					add(id)
				}
			}
		}
	}
	if sameScriptOnly(q.Script) && q.Script != ScriptHan && q.Script != ScriptHangul {
		for _, g := range runeBigrams(q.Text) {
			for _, id := range ix.grams.get(g) {
				add(id)
			}
		}
	}
	// deletion neighbours of the Latin and the phonetic form
	verified := 0
	addNear := func(id int32) {
		if verified < maxFuzzyVocabPerTerm && sc.seen[id] != sc.stamp {
			verified++
			add(id)
		}
	}
	for i, f := range q.forms {
		if len(f) < fuzzyMinTokenLen {
			continue
		}
		ix.near.lookup('r', f, addNear)
		if q.phon[i] != f && len(q.phon[i]) >= 2 {
			ix.near.lookup('p', q.phon[i], addNear)
		}
	}
	return out
}

// nearestSpellings calls visit with the words of a skeleton's bucket (sorted
// by Latin form when the index was built) from the one nearest to spelling
// outwards, the neighbour sharing the longer prefix with it first, until
// visit returns false. A crowded bucket (sb: Saheb, Yusuf, Sayyaf, Isaev,
// ...) so spends its budget on the words most likely to be the query's:
// isaefu beside Isaev, not beside Saheb.
func (ix *Index) nearestSpellings(ids []int32, spelling string, visit func(int32) bool) {
	hi := sort.Search(len(ids), func(i int) bool { return ix.vocab.latin(ids[i]) >= spelling })
	lo := hi - 1
	for lo >= 0 || hi < len(ids) {
		takeHi := lo < 0 || (hi < len(ids) &&
			commonPrefix(ix.vocab.latin(ids[hi]), spelling) >= commonPrefix(ix.vocab.latin(ids[lo]), spelling))
		var id int32
		if takeHi {
			id, hi = ids[hi], hi+1
		} else {
			id, lo = ids[lo], lo-1
		}
		if !visit(id) {
			return
		}
	}
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Search finds the records whose names are most alike to query, best first.
func (ix *Index) Search(query string, opt SearchOptions) []Hit {
	limit := opt.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	minScore := opt.MinScore
	if minScore <= 0 {
		minScore = defaultMinScore
	}
	threshold := opt.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	q := prepare(query)
	if ix.nRecords == 0 || len(q) == 0 {
		return nil
	}
	sc := ix.scratch.get()
	defer func() {
		sc.reset()
		ix.scratch.put(sc)
	}()

	queryIsOrg := false // a legal form in the query names an organisation
	for _, t := range q {
		queryIsOrg = queryIsOrg || t.Class == ClassLegal
	}

	// 1. vocabulary matches per query token, and the query side's rarity
	var matches []termMatch
	qRarity := make([]float64, len(q))
	for i, t := range q {
		qRarity[i] = 1
		if !t.counts() {
			continue
		}
		before := len(matches)
		matches = ix.lookup(t, i, sc, matches)
		best := -1.0
		for _, m := range matches[before:] {
			if m.sim > best || (m.sim == best && ix.rarity[m.id] < float32(qRarity[i])) {
				best = m.sim
				qRarity[i] = float64(ix.rarity[m.id])
			}
		}
	}
	// joined query words may match one indexed word (Sber bank ~ Sberbank)
	for i := 0; i+1 < len(q); i++ {
		// the second word may be a legal form written joined (SiemensAG)
		// generic words are not written joined with others often enough to
		// pay for the lookups
		if q[i].Class != ClassName || !(q[i+1].Class == ClassName || q[i+1].Class == ClassLegal) || q[i].Latin == "" || q[i+1].Latin == "" {
			continue
		}
		// its matches carry index len(q)+i: they credit records under
		// their own name and never stand for a pairing of word i
		j := newTok(Token{Text: q[i].Latin + q[i+1].Latin, Latin: q[i].Latin + q[i+1].Latin, Script: ScriptLatin})
		matches = ix.lookup(j, len(q)+i, sc, matches)
	}
	// every match of a query word weighs by that word's own rarity (the
	// rarity of its closest indexed form): a rare misspelling found for a
	// common word must not outweigh the word itself
	weightOf := func(m termMatch) float64 {
		if m.q < len(q) {
			return qRarity[m.q]
		}
		i := m.q - len(q)
		return (qRarity[i] + qRarity[i+1]) / 2
	}

	// the similarities found here are the ones the scorer uses for
	// word pairs; other pairs (particles, initials, numbers) it computes
	known := make(map[uint64]termMatch, 2*len(matches)+64)
	for _, m := range matches {
		if m.q >= len(q) {
			continue
		}
		k := uint64(m.q)<<32 | uint64(uint32(m.id))
		if old, ok := known[k]; !ok || m.sim > old.sim {
			if m.via == viaJoined && m.sim < 1 {
				continue // a part of a joined word pairs only through the joined span
			}
			known[k] = m
		}
	}

	// 2. accumulate over postings within a budget, query word by query
	// word (rarest first) and within one word best similarity first; a
	// query word credits a record once, with its best match (so that
	// "ahmad" finding both Ahmad and Ahmadi in one record counts once)
	minDF := make([]int, 2*len(q))
	for _, m := range matches {
		if df := len(ix.postings.at(int(m.id))); minDF[m.q] == 0 || df < minDF[m.q] {
			minDF[m.q] = df
		}
	}
	sort.Slice(matches, func(a, b int) bool {
		x, y := matches[a], matches[b]
		if x.q != y.q {
			// query words whose best-known match is rarest go first
			if minDF[x.q] != minDF[y.q] {
				return minDF[x.q] < minDF[y.q]
			}
			return x.q < y.q
		}
		if x.sim != y.sim {
			return x.sim > y.sim
		}
		return len(ix.postings.at(int(x.id))) < len(ix.postings.at(int(y.id)))
	})
	visited, boosted := 0, 0
	for _, m := range matches {
		p := ix.postings.at(int(m.id))
		w := float32(classWeight(ix.vocab.class(m.id)) * weightOf(m) * m.sim)
		bit := uint16(1) << (uint(m.q) & 15)
		if visited > 0 && visited+len(p) > postingBudget {
			// Too common to widen the candidates: it only adds to records
			// already found (Ali Hassan Khan: Khan where Ali and Hassan
			// are). The byte per record read here stays in cache; the
			// accumulator is written only for those records.
			if boosted+len(p) > boostBudget {
				continue // scoring still sees the word
			}
			boosted += len(p)
			for _, r := range p {
				if c := sc.credited[r]; c != 0 && c&bit == 0 {
					sc.credited[r] = c | bit
					sc.acc[r] += w
				}
			}
			continue
		}
		visited += len(p)
		for _, r := range p {
			if sc.credited[r]&bit != 0 {
				continue
			}
			if sc.acc[r] == 0 && sc.credited[r] == 0 {
				sc.touched = append(sc.touched, r)
			}
			sc.credited[r] |= bit
			sc.acc[r] += w
		}
	}
	// a long query may be written out in full where the list has only its
	// acronym (Korean Committee for Space Technology ~ KCST)
	if a := acronymOf(tokensOf(q)); a != "" {
		for _, id := range ix.forms.get(a) {
			for _, r := range ix.postings.at(int(id)) {
				if sc.acc[r] == 0 {
					sc.touched = append(sc.touched, r)
				}
				sc.acc[r] += float32(acronymSim * ix.rarityOf(len(ix.postings.at(int(id)))))
			}
		}
	}
	// a short query word may be the acronym of an indexed name
	for _, t := range q {
		if t.Script != ScriptLatin || len(t.Latin) < 2 || len(t.Latin) > 5 || !t.wordLike() {
			continue
		}
		recs := ix.acronyms.get(t.Latin)
		w := float32(acronymSim * t.prior * ix.rarityOf(len(recs)))
		for _, r := range recs {
			if sc.acc[r] == 0 {
				sc.touched = append(sc.touched, r)
			}
			sc.acc[r] += w
		}
	}
	if len(sc.touched) == 0 {
		return nil
	}

	// 3. keep the best candidates by accumulated weight
	k := max(minCandidates, limit*candidatesPerLimit)
	cands := sc.candidates[:0]
	if len(sc.touched) > k {
		// records far below the best cannot make the first k: drop them
		// before selecting, which keeps the selection short when a common
		// word touched tens of thousands of records
		var best float32
		for _, r := range sc.touched {
			best = max(best, sc.acc[r])
		}
		floor := best * candidateFloor
		for _, r := range sc.touched {
			if sc.acc[r] >= floor {
				cands = append(cands, r)
			}
		}
	} else {
		cands = append(cands, sc.touched...)
	}
	if len(cands) > k {
		// among records that share the query's words equally, the ones
		// with fewer other words come first (Ahmad Rahman before Chol
		// Ahmad Rahman)
		for _, r := range cands {
			sc.acc[r] -= float32(ix.words[r]) * 1e-3
		}
		selectTop(cands, k, sc.acc)
		cands = cands[:k]
	}
	sc.candidates = cands

	// 4. score every name of every candidate
	type scoredHit struct {
		rec, name   int
		s           scored
		score, adj  float64
		kindPenalty float64
		nameToks    []*tok
		weak        bool
	}
	var hits []scoredHit
	qWeight := func(side, i int, t *tok) float64 {
		if side == 0 {
			return t.prior * math.Sqrt(qRarity[i])
		}
		return 0 // replaced per name below
	}
	for _, r := range cands {
		kind := ix.kind(int(r))
		if opt.Kind != "" && kind != "" && !strings.EqualFold(kind, opt.Kind) {
			continue
		}
		adj := ix.countryAdjustment(int(r), opt.Country)
		if opt.CountryOnly && adj < 0 {
			continue
		}
		best := scoredHit{score: -1}
		for n := ix.first[r]; n < ix.first[r+1]; n++ {
			ids := ix.nameToks.at(int(n))
			weak := ix.nameWeak[n]
			nt := make([]*tok, len(ids))
			for i, id := range ids {
				nt[i] = sc.toks.next()
				ix.vocab.load(id, nt[i])
			}
			w := func(side, i int, t *tok) float64 {
				if side == 0 {
					return qWeight(side, i, t)
				}
				return t.prior * math.Sqrt(float64(ix.rarity[ids[i]]))
			}
			sim := func(i, j int) (float64, string) {
				x, y := q[i], nt[j]
				if x.wordLike() && y.wordLike() {
					k := uint64(i)<<32 | uint64(uint32(ids[j]))
					if m, ok := known[k]; ok {
						return m.sim, m.via
					}
					// a pair the lookup did not reach: worth computing only
					// when the words could be alike at all
					m := termMatch{id: ids[j], q: i}
					if plausiblePair(x, y) {
						m.sim, m.via = pairSim(x, y)
						if m.sim < minPairSim {
							m.sim = 0
						}
					}
					known[k] = m
					return m.sim, m.via
				}
				return pairSim(x, y)
			}
			s := score(q, nt, w, sim, kind)
			v := s.score
			if weak {
				v = math.Min(v, WeakAliasCap)
			}
			if v > best.score || (v == best.score && best.weak && !weak) {
				best = scoredHit{rec: int(r), name: int(n), s: s, score: v, nameToks: nt, weak: weak}
			}
		}
		if best.score < 0 {
			continue
		}
		// the country moves a score that the name earned, never makes one
		if adj > 0 && best.score < threshold {
			adj = 0
		}
		best.adj = adj
		if queryIsOrg && kindConflicts(kind) {
			best.kindPenalty = kindConflictCost
		}
		best.score = clamp01(best.score + adj - best.kindPenalty)
		if best.score >= minScore {
			hits = append(hits, best)
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score > hits[b].score
		}
		return hits[a].rec < hits[b].rec
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Hit, len(hits))
	for i, h := range hits {
		ids := ix.nameToks.at(h.name)
		w := func(side, j int, t *tok) float64 {
			if side == 0 {
				return qWeight(side, j, t)
			}
			return t.prior * math.Sqrt(float64(ix.rarity[ids[j]]))
		}
		// the explanation shows the final score, with the weak-alias cap and
		// the country and kind adjustments as entries of its own
		sc := h.s
		if h.weak && sc.score > WeakAliasCap {
			sc.penalties = append(sc.penalties, Penalty{Reason: "weak alias: capped", Amount: round3(sc.score - WeakAliasCap)})
		}
		switch {
		case h.adj > 0:
			sc.penalties = append(sc.penalties, Penalty{Reason: "same country (a bonus)", Amount: -h.adj})
		case h.adj < 0:
			sc.penalties = append(sc.penalties, Penalty{Reason: "listed for other countries only", Amount: -h.adj})
		}
		if h.kindPenalty > 0 {
			sc.penalties = append(sc.penalties, Penalty{Reason: "a legal form names an organisation, the entry is a " + ix.kind(h.rec), Amount: h.kindPenalty})
		}
		sc.score = h.score
		cmp := explain(q, h.nameToks, sc, threshold, w)
		out[i] = Hit{
			Index: h.rec, ID: ix.recIDs.At(h.rec), Name: ix.nameValues.At(h.name), Weak: h.weak,
			Score: cmp.Score, Match: cmp.Match, Strong: cmp.Match && !h.weak && cmp.Score >= StrongThreshold,
			CountryAdjustment: round3(h.adj), Comparison: cmp,
		}
	}
	return out
}

// plausiblePair is a cheap test that two word tokens might reach
// minPairSim: the same first or second letter (or a script without Latin
// form) and lengths within half of each other.
func plausiblePair(x, y *tok) bool {
	if x.Latin == "" || y.Latin == "" || x.Script != ScriptLatin || y.Script != ScriptLatin {
		return true
	}
	lx, ly := len(x.Latin), len(y.Latin)
	if lx*2 < ly || ly*2 < lx {
		return false
	}
	if x.Latin[0] == y.Latin[0] || (x.phon[0] != "" && y.phon[0] != "" && x.phon[0][0] == y.phon[0][0]) {
		return true
	}
	if voicedFirst(x.Latin) == voicedFirst(y.Latin) {
		return true // Jang / Chang
	}
	// Osama / Usama, Ryonbong / Yonbong, Invidia / Nvidia
	return lx > 1 && ly > 1 && (x.Latin[1] == y.Latin[1] || x.Latin[0] == y.Latin[1] || x.Latin[1] == y.Latin[0])
}

// selectTop moves the k records with the highest accumulated weight to the
// front of c (in no particular order), ties broken by record index so the
// result does not depend on the order of c. Quickselect: linear on average,
// where a full sort of a hundred thousand touched records is not.
func selectTop(c []int32, k int, acc []float32) {
	better := func(a, b int32) bool {
		if acc[a] != acc[b] {
			return acc[a] > acc[b]
		}
		return a < b
	}
	lo, hi := 0, len(c)-1
	for lo < hi {
		// median of three as pivot
		mid := lo + (hi-lo)/2
		if better(c[mid], c[lo]) {
			c[mid], c[lo] = c[lo], c[mid]
		}
		if better(c[hi], c[lo]) {
			c[hi], c[lo] = c[lo], c[hi]
		}
		if better(c[hi], c[mid]) {
			c[hi], c[mid] = c[mid], c[hi]
		}
		pivot := c[mid]
		i, j := lo, hi
		for i <= j {
			for better(c[i], pivot) {
				i++
			}
			for better(pivot, c[j]) {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

func tokensOf(ts []*tok) []Token {
	out := make([]Token, len(ts))
	for i, t := range ts {
		out[i] = t.Token
	}
	return out
}

// kindConflictCost is taken when a query with a legal form meets an entry
// that is a person, a vessel or an aircraft.
const kindConflictCost = 0.1

func kindConflicts(kind string) bool {
	switch strings.ToLower(kind) {
	case "person", "individual", "vessel", "aircraft":
		return true
	}
	return false
}

// countryAdjustment is the bonus for a record of the query's country or the
// penalty for a record that names only other countries; 0 without a query
// country or without record countries.
func (ix *Index) countryAdjustment(rec int, country string) float64 {
	cs := ix.countries.at(rec)
	if country == "" || len(cs) == 0 {
		return 0
	}
	for _, c := range cs {
		if strings.EqualFold(ix.codes[c], country) {
			return sameCountryBonus
		}
	}
	return -otherCountryPenalty
}
