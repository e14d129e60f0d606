package names

import (
	"math/rand/v2"
	"strings"
)

// Synthetic list records for benchmarks: plausible company and person names
// built from syllables, real given names and surnames, generic words, places
// and legal forms, generated deterministically from a seed so that runs can
// be compared.

var (
	synthSyllables = strings.Fields(`ka ri to ma na sa ro li en an ar el or in us al be de fa ga ha ja ko lu mo ne pa qu ra se ti vo ya zu
		tek mir vol gaz ros neft bar kan dor lin mar pet sib ural ast kor hua xin zhong tai wei long sun star nord`)
	synthGeneric = strings.Fields(`Trading Industrial Industries International Group Holding Technology Engineering
		Machinery Electronics Shipping Logistics Import Export Development Investment Resources Energy Systems Services
		Chemical Materials Precision Instruments Aerospace Marine Metals Mining Equipment Solutions Manufacturing`)
	synthPlaces = strings.Fields(`Beijing Shanghai Shenzhen Dalian Moscow Tehran Dubai Istanbul Pyongyang Minsk Almaty
		Tashkent Karachi Singapore Hong Kong Mumbai Caracas Damascus Baku Tbilisi Yerevan Novosibirsk Kazan Tianjin Ningbo`)
	synthLegal = []string{"Co., Ltd.", "LLC", "Ltd", "JSC", "OOO", "GmbH", "FZE", "Pte Ltd", "Limited", "Corporation", "Inc.", "S.A.", "PJSC", "Company Limited", ""}
	synthGiven = strings.Fields(`Mohammad Ali Ahmad Hassan Hossein Reza Sergey Vladimir Igor Alexander Dmitry Oleg Yuri Ivan
		Wei Li Ming Jian Hong Kim Jong Chol Song Il Abdul Omar Yusuf Ibrahim Mustafa Khalid Anna Elena Olga Maria Fatima
		Zainab Nikolai Pavel Andrei Viktor Boris Ruslan Timur Farid Karim Jamal Tariq Samir Hamid Majid Saeed Nasser`)
	synthSurname = strings.Fields(`Ivanov Petrov Sidorov Smirnov Kuznetsov Popov Volkov Sokolov Lebedev Kozlov Novikov
		Morozov Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Kim Lee Park Choi Jang Ri Pak Rahimi Hosseini Mohammadi Karimi
		Rezaei Moradi Ahmadi Jafari Al-Hashimi Al-Masri Al-Rawi Haddad Khoury Nasser Aziz Rahman Khan Hussain Qureshi Shah`)
)

func synthWord(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(synthSyllables[r.IntN(len(synthSyllables))])
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// synthName returns one plausible name of the given kind.
func synthName(r *rand.Rand, person bool) string {
	if person {
		parts := []string{pick(r, synthGiven)}
		if r.IntN(3) == 0 {
			parts = append(parts, pick(r, synthGiven))
		}
		if r.IntN(2) == 0 {
			parts = append(parts, synthWord(r)+pick(r, []string{"ov", "ev", "in", "i", "zadeh", "ski", "enko"}))
		} else {
			parts = append(parts, pick(r, synthSurname))
		}
		return strings.Join(parts, " ")
	}
	var parts []string
	if r.IntN(4) == 0 {
		parts = append(parts, pick(r, synthPlaces))
	}
	parts = append(parts, synthWord(r))
	if r.IntN(3) == 0 {
		parts = append(parts, synthWord(r))
	}
	for n := r.IntN(3); n > 0; n-- {
		parts = append(parts, pick(r, synthGeneric))
	}
	if l := pick(r, synthLegal); l != "" {
		parts = append(parts, l)
	}
	return strings.Join(parts, " ")
}

// syntheticRecords returns n records, about a third persons, some with a
// second name and some with a weak alias.
func syntheticRecords(n int, seed uint64) []Record {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	countries := []string{"CN", "RU", "IR", "KP", "AE", "TR", "SY", "BY", "HK", "SG", "IN", "PK", "VE", "JP", "DE", "US"}
	out := make([]Record, n)
	for i := range out {
		person := r.IntN(3) == 0
		rec := Record{ID: "syn-" + itoa(i), Kind: "organisation", Countries: []string{pick(r, countries)}}
		if person {
			rec.Kind = "person"
		}
		rec.Names = append(rec.Names, NameVariant{Value: synthName(r, person)})
		if r.IntN(3) == 0 {
			rec.Names = append(rec.Names, NameVariant{Value: synthName(r, person)})
		}
		if r.IntN(10) == 0 {
			rec.Names = append(rec.Names, NameVariant{Value: synthWord(r), Weak: true})
		}
		out[i] = rec
	}
	return out
}

func itoa(i int) string {
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return string(b[p:])
}

// syntheticQueries returns queries derived from records: exact names,
// names with a typo, reordered words, names with another legal form, and
// names that are in no record.
func syntheticQueries(recs []Record, n int, seed uint64) []string {
	qs, _ := syntheticQueriesWithSource(recs, n, seed)
	return qs
}

// syntheticQueriesWithSource also returns, per query, the index of the
// record it was derived from, or -1 for an invented name.
func syntheticQueriesWithSource(recs []Record, n int, seed uint64) ([]string, []int) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]string, n)
	src := make([]int, n)
	for i := range out {
		if r.IntN(5) == 4 {
			out[i] = synthName(r, r.IntN(2) == 0)
			src[i] = -1
			continue
		}
		ri := r.IntN(len(recs))
		rec := recs[ri]
		name := rec.Names[r.IntN(len(rec.Names))].Value
		words := strings.Fields(name)
		switch r.IntN(4) {
		case 1: // a typo: one letter dropped from a word
			k := r.IntN(len(words))
			if w := words[k]; len(w) > 4 {
				j := 1 + r.IntN(len(w)-2)
				words[k] = w[:j] + w[j+1:]
			}
		case 2: // reorder
			r.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
		case 3:
			words = append(words, "Co., Ltd.")
		}
		out[i] = strings.Join(words, " ")
		src[i] = ri
	}
	return out, src
}
