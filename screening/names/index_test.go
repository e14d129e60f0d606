package names

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// listFixture is a small hand-written list in the shape of the real ones.
func listFixture() []Record {
	return []Record{
		{ID: "un:KPe.001", Kind: "organisation", Countries: []string{"KP"}, Names: []NameVariant{
			{Value: "KOREA MINING DEVELOPMENT TRADING CORPORATION"}, {Value: "KOMID"},
			{Value: "コリア・マイニング・デベロップメント・トレーディング・コーポレーション"}}},
		{ID: "un:KPe.003", Kind: "organisation", Countries: []string{"KP"}, Names: []NameVariant{
			{Value: "TANCHON COMMERCIAL BANK"}, {Value: "Korea Changgwang Credit Bank"}}},
		{ID: "un:IRe.030", Kind: "organisation", Countries: []string{"IR"}, Names: []NameVariant{
			{Value: "Islamic Republic of Iran Shipping Lines"}, {Value: "IRISL"}, {Value: "イラン・イスラム共和国海運"}}},
		{ID: "meti:0421", Kind: "organisation", Countries: []string{"CN"}, Names: []NameVariant{
			{Value: "Beijing Zhongguancun Precision Trading Co., Ltd."}, {Value: "北京中关村精密贸易有限公司"}}},
		{ID: "ofac:12345", Kind: "person", Countries: []string{"RU"}, Names: []NameVariant{
			{Value: "Igor Ivanovich SECHIN"}, {Value: "Игорь Иванович Сечин"}, {Value: "Igor", Weak: true}}},
		{ID: "ofac:23456", Kind: "person", Countries: []string{"RU"}, Names: []NameVariant{
			{Value: "Sergey Viktorovich LAVROV"}, {Value: "Сергей Викторович Лавров"}}},
		{ID: "ofac:34567", Kind: "organisation", Countries: []string{"AE"}, Names: []NameVariant{
			{Value: "Golden Star Trading FZE"}, {Value: "Goldstar", Weak: true}}},
		{ID: "ofac:45678", Kind: "organisation", Countries: []string{"TR"}, Names: []NameVariant{
			{Value: "Golden Star Trading Ltd"}}},
		{ID: "meti:0777", Kind: "organisation", Countries: []string{"JP"}, Names: []NameVariant{
			{Value: "株式会社サクラ商事"}, {Value: "Sakura Shoji Co., Ltd."}}},
		{ID: "ofac:99999", Kind: "vessel", Names: []NameVariant{{Value: "MV SAKURA"}}},
	}
}

func mustIndex(t testing.TB, recs []Record) *Index {
	t.Helper()
	ix, err := NewIndex(recs)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSearchFindsWrittenVariants(t *testing.T) {
	ix := mustIndex(t, listFixture())
	tests := []struct {
		query, wantID string
	}{
		{"Korea Mining Development Trading Corp", "un:KPe.001"},
		{"KOREA MINNING DEVELOPMENT TRADING", "un:KPe.001"},
		{"komid", "un:KPe.001"},
		{"Tanchon Commercial Bank Ltd.", "un:KPe.003"},
		{"IRISL", "un:IRe.030"},
		{"Islamic Republic of Iran Shipping Line", "un:IRe.030"},
		{"北京中关村精密贸易有限公司", "meti:0421"},
		{"Sechin, Igor", "ofac:12345"},
		{"Игорь Сечин", "ofac:12345"},
		{"Sergei Lavrov", "ofac:23456"},
		{"ＳＡＫＵＲＡ商事（株）", "meti:0777"},
		{"サクラ商事株式会社", "meti:0777"},
	}
	for _, tt := range tests {
		wantFirstMatch(t, ix, tt.query, tt.wantID)
	}
}

// wantFirstMatch searches ix for query and wants id as the first hit, a match.
func wantFirstMatch(t *testing.T, ix *Index, query, id string) {
	t.Helper()
	hits := ix.Search(query, SearchOptions{Limit: 3})
	if len(hits) == 0 || hits[0].ID != id || !hits[0].Match {
		t.Errorf("Search(%q): want %s first and matching, got %s", query, id, describeHits(hits))
	}
}

func describeHits(hits []Hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString(h.ID + " " + h.Comparison.Explanation + "\n")
	}
	if b.Len() == 0 {
		return "no hits"
	}
	return b.String()
}

func TestSearchDoesNotMatchGenericWordsAlone(t *testing.T) {
	ix := mustIndex(t, listFixture())
	for _, q := range []string{"Trading Co., Ltd.", "General Trading Company", "International Shipping Lines", "Commercial Bank"} {
		for _, h := range ix.Search(q, SearchOptions{Limit: 5}) {
			if h.Match {
				t.Errorf("Search(%q) matched %s: %s", q, h.ID, h.Comparison.Explanation)
			}
		}
	}
}

func TestWeakAliasIsCapped(t *testing.T) {
	ix := mustIndex(t, listFixture())
	hits := ix.Search("Goldstar", SearchOptions{Limit: 5})
	if len(hits) == 0 || hits[0].ID != "ofac:34567" {
		t.Fatalf("want the weak alias hit first, got %s", describeHits(hits))
	}
	h := hits[0]
	if !h.Weak || h.Score > WeakAliasCap || h.Strong {
		t.Errorf("weak alias: weak=%v score=%.3f strong=%v, want weak, score <= %.2f, not strong", h.Weak, h.Score, h.Strong, WeakAliasCap)
	}
	// the strong name of the same record still gives a strong match
	hits = ix.Search("Golden Star Trading FZE", SearchOptions{Limit: 5})
	if len(hits) == 0 || !hits[0].Strong || hits[0].Weak {
		t.Errorf("strong name: got %s", describeHits(hits))
	}
}

func TestCountryModifiesNeverMakes(t *testing.T) {
	ix := mustIndex(t, listFixture())
	base := ix.Search("Golden Star Trading", SearchOptions{Limit: 5})
	tr := ix.Search("Golden Star Trading", SearchOptions{Limit: 5, Country: "TR"})
	byID := func(hs []Hit, id string) Hit {
		for _, h := range hs {
			if h.ID == id {
				return h
			}
		}
		t.Fatalf("no hit %s in %s", id, describeHits(hs))
		return Hit{}
	}
	if got, was := byID(tr, "ofac:45678").Score, byID(base, "ofac:45678").Score; got <= was && was < 1 {
		t.Errorf("same country: score %.3f, want above %.3f", got, was)
	}
	if got, was := byID(tr, "ofac:34567").Score, byID(base, "ofac:34567").Score; got >= was {
		t.Errorf("other country: score %.3f, want below %.3f", got, was)
	}
	// a country alone never makes a match
	for _, h := range ix.Search("Petrov Holdings", SearchOptions{Country: "RU", MinScore: 0.01}) {
		if h.Match {
			t.Errorf("country made a match: %s", h.Comparison.Explanation)
		}
	}
	only := ix.Search("Golden Star Trading", SearchOptions{Limit: 5, Country: "TR", CountryOnly: true})
	for _, h := range only {
		if h.ID == "ofac:34567" {
			t.Errorf("CountryOnly kept a record of another country")
		}
	}
}

func TestKindFilter(t *testing.T) {
	ix := mustIndex(t, listFixture())
	for _, h := range ix.Search("Sakura", SearchOptions{Kind: "vessel", MinScore: 0.01}) {
		if rec := ix.Record(h.Index); rec.Kind != "vessel" && rec.Kind != "" {
			t.Errorf("Kind filter kept %s (%s)", h.ID, rec.Kind)
		}
	}
}

func TestNewIndexRejectsNamelessRecord(t *testing.T) {
	_, err := NewIndex([]Record{{ID: "a", Names: []NameVariant{{Value: "Alpha"}}}, {ID: "b", Names: []NameVariant{{Value: " - "}}}})
	if !errors.Is(err, ErrEmptyName) || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("want ErrEmptyName naming record b, got %v", err)
	}
}

func TestEmptyIndexAndQuery(t *testing.T) {
	ix := mustIndex(t, nil)
	if hits := ix.Search("anything", SearchOptions{}); len(hits) != 0 {
		t.Errorf("empty index gave hits")
	}
	ix = mustIndex(t, listFixture())
	if hits := ix.Search(" ;, ", SearchOptions{}); len(hits) != 0 {
		t.Errorf("empty query gave hits")
	}
}

// The index is read-only after NewIndex: concurrent searches give the same
// answers as sequential ones (run with -race), and more searches at once
// than the scratch pool holds wait for a scratch instead of making more.
func TestConcurrentSearch(t *testing.T) {
	recs := append(listFixture(), syntheticRecords(2000, 3)...)
	ix := mustIndex(t, recs)
	queries := append(syntheticQueries(recs, 40, 5), "KOMID", "Igor Sechin", "サクラ商事")
	want := make([][]Hit, len(queries))
	for i, q := range queries {
		want[i] = ix.Search(q, SearchOptions{Limit: 5})
	}
	var wg sync.WaitGroup
	const searchers = 48
	errs := make(chan string, searchers*len(queries))
	for g := 0; g < searchers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range queries {
				j := (i + g) % len(queries)
				got := ix.Search(queries[j], SearchOptions{Limit: 5})
				if len(got) != len(want[j]) || (len(got) > 0 && (got[0].ID != want[j][0].ID || got[0].Score != want[j][0].Score)) {
					errs <- queries[j]
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for q := range errs {
		t.Errorf("concurrent search of %q differs from sequential", q)
	}
	if made, most := ix.scratch.made, cap(ix.scratch.free); made > most || made < 1 {
		t.Errorf("%d searchers made %d scratches, want 1..%d", searchers, made, most)
	}
}

func TestScratchPoolWaitsWhenAllAreOut(t *testing.T) {
	made := 0
	p := newScratchPool(2, func() *searchScratch { made++; return newSearchScratch(4, 4) })
	a, b := p.get(), p.get()
	if a == b || made != 2 {
		t.Fatalf("two gets: same scratch %v, made %d; want two new ones", a == b, made)
	}
	third := make(chan *searchScratch)
	go func() { third <- p.get() }()
	p.put(b)
	if got := <-third; got != b || made != 2 {
		t.Errorf("the waiting get had the returned scratch %v and made %d; want it and 2", got == b, made)
	}
	p.put(a)
	if got := p.get(); got != a {
		t.Error("a get after a put did not reuse the free scratch")
	}
}

func TestSelectTop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(300)
		acc := make([]float32, n)
		c := make([]int32, n)
		for i := range acc {
			acc[i] = float32(r.IntN(20))
			c[i] = int32(i)
		}
		k := 1 + r.IntN(n)
		selectTop(c, k, acc)
		// every selected one is at least as good as every one left out
		for _, in := range c[:k] {
			for _, out := range c[k:] {
				if acc[out] > acc[in] || (acc[out] == acc[in] && out < in) {
					t.Fatalf("trial %d: %d (%.0f) left out but %d (%.0f) selected", trial, out, acc[out], in, acc[in])
				}
			}
		}
	}
}

func TestHitJSON(t *testing.T) {
	ix := mustIndex(t, listFixture())
	hits := ix.Search("KOMID", SearchOptions{Limit: 1})
	if len(hits) != 1 {
		t.Fatalf("no hit")
	}
	b, err := json.Marshal(hits[0].Comparison)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"score", "match", "threshold", "explanation", "pairs"} {
		if _, ok := m[k]; !ok {
			t.Errorf("comparison JSON lacks %q: %s", k, b)
		}
	}
}

// Queries derived from list names (a typo, words reordered, a legal form
// added) find their record among the first hits. Invented names are not
// counted: with synthetic names from a small syllable set they may well be
// near some record.
func TestSearchFindsSyntheticSources(t *testing.T) {
	recs := syntheticRecords(20000, 11)
	ix := mustIndex(t, recs)
	queries, src := syntheticQueriesWithSource(recs, 400, 13)
	found, total := 0, 0
	for i, q := range queries {
		if src[i] < 0 {
			continue
		}
		total++
		for _, h := range ix.Search(q, SearchOptions{Limit: 10}) {
			if h.Index == src[i] {
				found++
				break
			}
		}
	}
	if rate := float64(found) / float64(total); rate < 0.97 {
		t.Errorf("found the source record for %d of %d derived queries (%.1f%%), want 97%%", found, total, 100*rate)
	} else {
		t.Logf("found the source record for %d of %d derived queries", found, total)
	}
}

// A name of more than eight counting words is found by itself among many
// that share all its words but its numbers. The accumulator credited each
// query word once per record by its position mod 8, so the ninth and tenth
// words (here the numbers, rarest and so counted first) took the bits of the
// first and second, and the record holding all four lost the first two:
// "China Aerospace Science and Industry Corporation 3rd Academy's 159
// Factory" missed its own entry among the CASIC entries.
func TestSearchFindsLongNameAmongNearTwins(t *testing.T) {
	own := "Kestrel Marlow Aerospace Science Industry Vostok Academy Works 3 159"
	records := []Record{{ID: "own", Names: []NameVariant{{Value: own}}}}
	for i := range 40 {
		records = append(records, Record{ID: fmt.Sprintf("twin-%d", i), Names: []NameVariant{{Value: "Kestrel Marlow Aerospace Science Industry Vostok Academy Works"}}})
	}
	for i := range 2000 {
		records = append(records, Record{ID: fmt.Sprintf("other-%d", i), Names: []NameVariant{{Value: fmt.Sprintf("Filler%c%c Holdings Works %d", 'a'+i%26, 'a'+i/26%26, i)}}})
	}
	ix, err := NewIndex(records)
	if err != nil {
		t.Fatal(err)
	}
	hits := ix.Search(own, SearchOptions{Limit: 3})
	if len(hits) == 0 || hits[0].ID != "own" || hits[0].Score < 0.99 {
		t.Fatalf("own name not first: %+v", hits)
	}
}

// TestSearchFindsKatakanaOfLatinEntries: a name typed in katakana finds an
// entry the list writes only in Latin letters, also where katakana writes a
// sound its own way (チ for ti, ジ for di, フ for kh, ウ for a v before a
// consonant): the look-up tries those spellings' skeletons too.
func TestSearchFindsKatakanaOfLatinEntries(t *testing.T) {
	records := []Record{
		{ID: "putin", Names: []NameVariant{{Value: "Vladimir Vladimirovich PUTIN"}}, Kind: "person"},
		{ID: "surkov", Names: []NameVariant{{Value: "Vladislav SURKOV"}}, Kind: "person"},
		{ID: "akhund", Names: []NameVariant{{Value: "MOHAMMAD HASSAN AKHUND"}}, Kind: "person"},
		{ID: "akhtar", Names: []NameVariant{{Value: "AKHTAR MOHAMMAD MANSOUR"}}, Kind: "person"},
		{ID: "ural", Names: []NameVariant{{Value: "Ural Trading"}}},
		{ID: "milosevic", Names: []NameVariant{{Value: "Slobodan MILOSEVIC"}}, Kind: "person"},
		{ID: "karadzic", Names: []NameVariant{{Value: "KARADZIC, Radovan"}}, Kind: "person"},
		{ID: "mladic", Names: []NameVariant{{Value: "Ratko MLADIC"}}, Kind: "person"},
		{ID: "jang", Names: []NameVariant{{Value: "JANG YONG SON"}}, Kind: "person"},
		{ID: "jo", Names: []NameVariant{{Value: "JO YONG CHOL"}, {Value: "Cho Yong Chol"}}, Kind: "person"},
		{ID: "kim", Names: []NameVariant{{Value: "Kim Tong-ch'o'l"}}, Kind: "person"},
		// rarer spellings (kanaRarerSpellings) and the Latin side's own
		// katakana skeletons (kanaSkeletons); names from MOF's list
		{ID: "obukhov", Names: []NameVariant{{Value: "Sergei OBUKHOV"}}, Kind: "person"},
		{ID: "mikhaylov", Names: []NameVariant{{Value: "Alexey MIKHAYLOV"}}, Kind: "person"},
		{ID: "sohra", Names: []NameVariant{{Value: "Sohra Group"}}},
		{ID: "kuzmich", Names: []NameVariant{{Value: "Tetiana KUZMICH"}}, Kind: "person"},
		{ID: "lebedev", Names: []NameVariant{{Value: "Sergei LEBEDEV"}}, Kind: "person"},
		{ID: "taesong", Names: []NameVariant{{Value: "Korea Taesong Trading Company"}}},
		{ID: "pamfilova", Names: []NameVariant{{Value: "Ella PAMFILOVA"}}, Kind: "person"},
		{ID: "cherif", Names: []NameVariant{{Value: "Peter CHERIF"}}, Kind: "person"},
		{ID: "technodinamika", Names: []NameVariant{{Value: "Technodinamika"}}},
	}
	for i := range 2000 {
		records = append(records, Record{ID: fmt.Sprintf("other-%d", i), Names: []NameVariant{{Value: fmt.Sprintf("Filler%c%c Holdings %d", 'a'+i%26, 'a'+i/26%26, i)}}})
	}
	ix, err := NewIndex(records)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, want string }{
		{"ウラジーミル・ウラジーミロヴィチ・プーチン", "putin"},
		{"ウラジーミル・プーチン", "putin"},
		{"ウラジスラフ・スルコフ", "surkov"},
		{"モハンマド・ハッサン・アフンド", "akhund"},
		{"アフタール・モハンマド・マンスール", "akhtar"},
		{"ウラル・トレーディング", "ural"},
		{"スロボダン・ミロシェヴィッチ", "milosevic"},
		{"ラドヴァン・カラジッチ", "karadzic"},
		{"ラトコ・ムラディッチ", "mladic"},
		// Korean names: the given name one katakana word, the family name's j a チ
		{"チャン・ヨンソン", "jang"},
		{"チョ・ヨンチョル", "jo"},
		{"キム・トンチョル", "kim"},
		{"セルゲイ・オブホフ", "obukhov"},             // ホ for kho
		{"アレクセイ・ミハイロフ", "mikhaylov"},         // ハ for kha
		{"ソフラ・グループ", "sohra"},                // フ for an h before a consonant
		{"テチャーナ・クジミチ", "kuzmich"},            // ジ for a Russian z
		{"セルゲイ・レベジェフ", "lebedev"},            // ジェ for de
		{"コリア・テソン・トレーディング・カンパニー", "taesong"}, // ン for ng
		{"エーラ・パンフィーロヴァ", "pamfilova"},        // ン for m before f
		{"ペーター・シェリフ", "cherif"},              // Peter's -er a long vowel
		{"テクノディナミカ", "technodinamika"},       // ch for k
	}
	for _, tt := range tests {
		wantFirstMatch(t, ix, tt.query, tt.want)
	}
	// a crowded skeleton of the katakana reading (bcn, of puchin) does not
	// use up the look-up before the Latin spelling's (btn, of Putin)
	crowded := append([]Record(nil), records...)
	for _, c := range "pbfvw" {
		for _, v1 := range "aeiou" {
			for _, v2 := range "aeiou" {
				w := fmt.Sprintf("%c%cch%cn", c, v1, v2)
				crowded = append(crowded, Record{ID: "crowd-" + w, Names: []NameVariant{{Value: "Marlow " + w}}, Kind: "person"})
			}
		}
	}
	if ix, err = NewIndex(crowded); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ix.Search("プーチン", SearchOptions{Limit: 200, MinScore: 0.3}), func(h Hit) bool { return h.ID == "putin" }) {
		t.Error("プーチン does not find PUTIN behind 125 words of its katakana skeleton")
	}
	// the other readings widen the look-up, not the match
	for _, q := range []string{"ウラン・トレーディング", "ヴラン・ホールディングス"} {
		for _, h := range ix.Search(q, SearchOptions{}) {
			if h.Match && h.ID != "ural" && !strings.HasPrefix(h.ID, "other-") {
				t.Errorf("Search(%s) matches %s (%.2f)", q, h.ID, h.Score)
			}
		}
	}
}

// TestNearestSpellings: a crowded skeleton bucket gives its look-up budget
// to the words spelt nearest the query's reading first. isaefu (イサエフ)
// meets Isaev first among 300 words of its skeleton sb that were indexed
// before it, and Isaeva next.
func TestNearestSpellings(t *testing.T) {
	var records []Record
	for _, c := range "sz" {
		for _, v1 := range "aeiou" {
			for _, m := range []string{"b", "bb", "f", "ff", "v", "w"} {
				for _, v2 := range "aeiou" {
					w := fmt.Sprintf("%c%c%s%c", c, v1, m, v2)
					records = append(records, Record{ID: w, Names: []NameVariant{{Value: "Marlow " + w}}})
				}
			}
		}
	}
	records = append(records, Record{ID: "isaev", Names: []NameVariant{{Value: "Andrei ISAEV"}}},
		Record{ID: "isaeva", Names: []NameVariant{{Value: "Anna ISAEVA"}}})
	ix := mustIndex(t, records)
	ids := ix.skels.get("sb")
	if len(ids) < 300 {
		t.Fatalf("the bucket sb holds %d words, want the 302 indexed", len(ids))
	}
	var got []string
	ix.nearestSpellings(ids, "isaefu", func(id int32) bool {
		got = append(got, ix.vocab.latin(id))
		return len(got) < 3
	})
	if want := []string{"isaev", "isaeva"}; !slices.Equal(got[:2], want) {
		t.Errorf("nearest spellings of isaefu: %q, want %q first", got, want[:2])
	}
	// every word once, whatever the start
	for _, start := range []string{"", "isaefu", "zzzz"} {
		seen := map[int32]bool{}
		ix.nearestSpellings(ids, start, func(id int32) bool { seen[id] = true; return true })
		if len(seen) != len(ids) {
			t.Errorf("from %q: %d of %d words visited", start, len(seen), len(ids))
		}
	}
}

// An index built partly from the records of an earlier index answers every
// search as one built afresh from the same records, wherever the taken
// records sit; what it takes is not analysed again.
func TestBuildTakesRecordsFromAnEarlierIndex(t *testing.T) {
	fixture := listFixture()
	a, b := fixture[:6], fixture[6:8]
	c := append(slices.Clone(fixture[8:]),
		Record{ID: "new:1", Kind: "organisation", Countries: []string{"KP"}, Names: []NameVariant{{Value: "Korea Tangun Trading Corporation"}, {Value: "朝鮮檀君貿易会社"}}},
		Record{ID: "new:2", Kind: "person", Countries: []string{"RU"}, Names: []NameVariant{{Value: "Sergei LAVROV"}, {Value: "Lavrov", Weak: true}}})
	earlier := mustIndex(t, slices.Concat(a, b))
	tests := []struct {
		name  string
		parts []Part
		same  []Record
	}{
		{"taken first", []Part{{From: earlier, Lo: 0, Hi: len(a)}, {Records: c}}, slices.Concat(a, c)},
		{"taken last, from the middle", []Part{{Records: c}, {From: earlier, Lo: len(a), Hi: len(a) + len(b)}}, slices.Concat(c, b)},
		{"all taken", []Part{{From: earlier, Lo: 0, Hi: len(a) + len(b)}}, slices.Concat(a, b)},
	}
	var queries []string
	for _, r := range slices.Concat(fixture, c) {
		for _, nv := range r.Names {
			queries = append(queries, nv.Value, strings.ToLower(nv.Value)+" co")
		}
	}
	queries = append(queries, "golden star", "sakura", "tangun", "KOMID")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paced := 0
			got, err := Build(tt.parts, BuildOptions{Pace: func() error { paced++; return nil }})
			if err != nil {
				t.Fatal(err)
			}
			if paced == 0 {
				t.Error("Pace was never called")
			}
			want := mustIndex(t, tt.same)
			if got.Len() != want.Len() || got.vocab.len() != want.vocab.len() {
				t.Fatalf("%d records and %d tokens, want %d and %d", got.Len(), got.vocab.len(), want.Len(), want.vocab.len())
			}
			for _, q := range queries {
				for _, opt := range []SearchOptions{{}, {Country: "RU", Limit: 3}} {
					g, w := got.Search(q, opt), want.Search(q, opt)
					if !reflect.DeepEqual(g, w) {
						t.Errorf("Search(%q, %+v):\n got %s\nwant %s", q, opt, describeHits(g), describeHits(w))
					}
				}
			}
		})
	}
	stop := errors.New("stopped")
	for _, parts := range [][]Part{{{Records: c}}, {{From: earlier, Lo: 0, Hi: 2}}} {
		if _, err := Build(parts, BuildOptions{Pace: func() error { return stop }}); !errors.Is(err, stop) {
			t.Errorf("a build whose Pace fails: err %v, want %v", err, stop)
		}
		if _, err := Build(parts, BuildOptions{Stop: func() error { return stop }}); !errors.Is(err, stop) {
			t.Errorf("a build whose Stop fails: err %v, want %v", err, stop)
		}
	}
	// Stop is asked on every building goroutine and a build it never stops
	// is the same as one without it.
	var many []Record
	for i := range 3000 {
		many = append(many, Record{ID: fmt.Sprint(i), Names: []NameVariant{{Value: fmt.Sprintf("Golden Star Trading %d", i)}}})
	}
	var asked atomic.Int32
	withStop, err := Build([]Part{{Records: many}}, BuildOptions{Stop: func() error { asked.Add(1); return nil }})
	if err != nil || asked.Load() < int32(len(many)/paceEvery) {
		t.Errorf("a build with a Stop that never stops: err %v, asked %d times", err, asked.Load())
	}
	without, err := Build([]Part{{Records: many}}, BuildOptions{})
	if err != nil || !reflect.DeepEqual(withStop.Search("Golden Star Trading 17", SearchOptions{}), without.Search("Golden Star Trading 17", SearchOptions{})) {
		t.Errorf("a build with Stop answers otherwise than one without (err %v)", err)
	}
	stopAfter := errors.New("stopped half-way")
	asked.Store(0)
	if _, err := Build([]Part{{Records: many}}, BuildOptions{Stop: func() error {
		if asked.Add(1) > 4 {
			return stopAfter
		}
		return nil
	}}); !errors.Is(err, stopAfter) {
		t.Errorf("a build stopped half-way: err %v", err)
	}
	for _, bad := range []Part{{From: earlier, Lo: -1, Hi: 2}, {From: earlier, Lo: 3, Hi: 2}, {From: earlier, Lo: 0, Hi: len(a) + len(b) + 1}} {
		if _, err := Build([]Part{bad}, BuildOptions{}); err == nil {
			t.Errorf("Build of records [%d, %d) of an index of %d: no error", bad.Lo, bad.Hi, earlier.Len())
		}
	}
}
