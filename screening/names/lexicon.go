package names

import "strings"

// Class says what role a token plays in a name, and so how much it counts.
type Class uint8

const (
	// ClassName is a distinctive word: it carries the match.
	ClassName Class = iota
	// ClassGeneric is a common business word ("trading", "industrial",
	// 商事): it counts a little and never makes a match alone.
	ClassGeneric
	// ClassLegal is a legal form ("Co., Ltd.", GmbH, 株式会社): it is kept
	// for the explanation but never counts.
	ClassLegal
	// ClassParticle is a connecting word ("al", "bin", "de", "of", "the").
	ClassParticle
	// ClassTitle is an honorific or vessel prefix ("Mr", "Dr", "MV"): it
	// never counts.
	ClassTitle
	// ClassNumber is a number or a Roman numeral ("44", "II").
	ClassNumber
	// ClassInitial is a single letter, usually an initial ("V. Putin").
	ClassInitial
)

var classNames = [...]string{"name", "generic", "legal", "particle", "title", "number", "initial"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "name"
}

// MarshalText lets explanations show the class by name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// legalForms are written after folding (lower case, no dots, transliterated).
// A form of several words matches those words in sequence; the longest form
// wins. Company/Corporation/Co/Corp are treated as legal forms: they say an
// organisation is meant, not which one.
var legalForms = []string{
	// English
	"ltd", "limited", "llc", "llp", "lp", "plc", "inc", "incorporated", "corp", "corporation",
	"co", "company", "cos", "companies", "pllc", "lllp", "pty", "pte", "pvt", "bhd", "sdn",
	"company limited", "co ltd", "private limited", "public limited company", "limited company",
	"limited liability company", "limited liability partnership", "limited partnership",
	"joint stock company", "open joint stock company", "closed joint stock company",
	"public joint stock company", "private joint stock company", "joint venture company",
	"jsc", "ojsc", "cjsc", "pjsc", "pao", "oao", "zao", "ao", "ooo", "ooo", "tov", "too", "ip",
	"fze", "fzco", "fzc", "fz llc", "fzllc", "wll", "llc fz", "dmcc",
	// German, Dutch, Nordic
	"gmbh", "ag", "kg", "ohg", "ug", "kgaa", "aktiengesellschaft", "gesellschaft mit beschrankter haftung",
	"bv", "nv", "bvba", "vof", "ab", "publ", "oy", "oyj", "aps", "asa", "as", "a s", "hf", "ehf",
	// Romance
	"sa", "sas", "sarl", "srl", "spa", "sl", "slu", "sau", "sca", "scs", "snc", "sacv", "sa de cv", "de cv", "cv",
	"ltda", "eireli", "eirl", "sac", "saa", "sab", "sae", "sapi", "na", "srls", "sprl", "scrl", "sccl",
	"societe anonyme", "sociedad anonima", "sociedad limitada", "societa per azioni", "societa a responsabilita limitata",
	"societatea cu raspundere limitata", "sociedade anonima", "sociedad de responsabilidad limitada",
	// Central and Eastern Europe, Turkey
	"sp z oo", "spolka z ograniczona odpowiedzialnoscia", "sro", "spol s ro", "spol sro", "as", "kft", "zrt", "nyrt", "bt",
	"doo", "dd", "ad", "ead", "eood", "ood", "jsc", "sh pk", "shpk", "as", "ltd sti", "sti", "tas", "anonim sirketi",
	"obshchestvo s ogranichennoy otvetstvennostyu", "aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo",
	"zakrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo", "nepublichnoe aktsionernoe obshchestvo",
	"tovarystvo z obmezhenoyu vidpovidalnistyu", "tdv",
	// Asia
	"kk", "gk", "yk", "kabushiki kaisha", "kabushiki gaisha", "kabushikikaisha", "kabushikigaisha", "yugen kaisha",
	"yugen gaisha", "yugengaisha", "godo kaisha", "godo gaisha", "godogaisha", "goshi gaisha", "gomei gaisha",
	"kampani", "koporeshon", "rimiteddo", "inkoporeteddo", "eruerushi",
	"youxian gongsi", "youxiangongsi", "gufen youxian gongsi", "gufenyouxiangongsi", "youxian zeren gongsi",
	"youxianzerengongsi", "gongsi", "gufengongsi", "jusikhoesa", "yuhanhoesa", "chusikhoesa",
	"pt", "tbk", "persero", "cv", "bhd", "sdn bhd", "berhad", "sendirian berhad", "pcl", "jsc", "jsco",
	"pvt ltd", "private ltd", "pte ltd", "pty ltd", "opc", "ano", "avtonomnaya nekommercheskaya organizatsiya",
	// establishments (Liechtenstein Anstalt, Gulf "Est.")
	"anstalt", "establishment", "est",
}

// abbreviations are expanded before any other lookup, so "Intl" and
// "International" are the same token.
var abbreviations = map[string]string{
	"intl": "international", "internat": "international",
	"tech": "technology", "techs": "technologies", "technol": "technology", "techn": "technology",
	"mfg": "manufacturing", "mfr": "manufacturer", "mfrs": "manufacturers", "manuf": "manufacturing",
	"bros": "brothers", "ind": "industries", "inds": "industries", "indus": "industrial", "indl": "industrial",
	"eng": "engineering", "engg": "engineering", "engr": "engineering", "svc": "service", "svcs": "services",
	"serv": "services", "assoc": "associates", "assn": "association", "natl": "national",
	"dept": "department", "univ": "university", "inst": "institute", "elec": "electric", "elect": "electric",
	"equip": "equipment", "dev": "development", "devt": "development", "mgmt": "management", "mgt": "management",
	"hldgs": "holdings", "hldg": "holding", "grp": "group", "sys": "systems", "ctr": "center", "cntr": "center",
	"centre": "center", "labs": "laboratories", "lab": "laboratory", "chem": "chemical", "chems": "chemicals",
	"pharm": "pharmaceutical", "pharma": "pharmaceutical", "petrochem": "petrochemical", "invest": "investment",
	"gen": "general", "telecom": "telecommunications", "telecoms": "telecommunications", "trdg": "trading",
	"impex": "import export", "shpg": "shipping", "transp": "transport", "ent": "enterprises",
	"entp": "enterprises", "coop": "cooperative", "mkt": "marketing", "mktg": "marketing",
	"us": "united states", "usa": "united states", "uk": "united kingdom", "uae": "united arab emirates",
	"st": "saint", "ste": "sainte", "ft": "fort", "organisation": "organization",
	"labour": "labor", "ctre": "center",
	// ordinals and spelled numbers that stand alone
	"1st": "1", "2nd": "2", "3rd": "3", "4th": "4", "5th": "5", "first": "1", "second": "2", "third": "3",
	// legal forms written with dots or slashes ("a/s", "m/v") and their long names
	"corp": "corporation", "co": "company", "ltd": "limited", "inc": "incorporated",
}

// numberWords turns spelled numbers into digits, so that "Brigade Forty-Four"
// and "Brigade 44" meet. Tens followed by a unit are added together.
var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

// romanNumerals of two letters or more; single I, V, X are more often
// initials than numbers.
var romanNumerals = map[string]bool{
	"ii": true, "iii": true, "iv": true, "vi": true, "vii": true, "viii": true, "ix": true, "xi": true,
	"xii": true, "xiii": true, "xiv": true, "xv": true, "xvi": true, "xvii": true, "xviii": true, "xix": true,
	"xx": true, "xxi": true, "xxx": true,
}

// genericWords are common words of company names. They count for little:
// two companies that share only "Trading" or "Industrial" are not alike.
var genericWords = map[string]bool{
	"trading": true, "trade": true, "traders": true, "trader": true, "industrial": true, "industries": true,
	"industry": true, "international": true, "group": true, "holding": true, "holdings": true,
	"enterprise": true, "enterprises": true, "global": true, "service": true, "services": true,
	"solutions": true, "solution": true, "technology": true, "technologies": true, "engineering": true,
	"manufacturing": true, "manufacturer": true, "import": true, "export": true, "imports": true, "exports": true,
	"importers": true, "exporters": true, "commercial": true, "commerce": true, "development": true,
	"investment": true, "investments": true, "logistics": true, "management": true, "partners": true,
	"associates": true, "brothers": true, "factory": true, "works": true, "plant": true, "products": true,
	"product": true, "production": true, "supply": true, "supplies": true, "equipment": true, "general": true,
	"national": true, "systems": true, "system": true, "resources": true, "capital": true, "ventures": true,
	"venture": true, "firm": true, "business": true, "center": true, "agency": true, "organization": true,
	"association": true, "institute": true, "foundation": true, "fund": true, "trust": true,
	"shipping": true, "marine": true, "electronics": true, "electronic": true, "electric": true,
	"machinery": true, "materials": true, "chemical": true, "chemicals": true, "energy": true,
	"construction": true, "consulting": true, "bank": true, "banking": true, "finance": true, "financial": true,
	"overseas": true, "world": true, "worldwide": true, "universal": true, "united": true, "network": true,
	"labor": true, "office": true, "department": true, "concern": true, "kontsern": true, "complex": true,
	"compound": true, "air": true, "airlines": true, "airline": true, "airways": true, "aviation": true,
	"bureau": true, "ministry": true, "committee": true, "academy": true, "university": true,
	// Japanese and Chinese readings of the same words, romanised
	"shoji": true, "boeki": true, "kogyo": true, "sangyo": true, "bussan": true, "tsusho": true, "shokai": true,
	"jitsugyo": true, "kogio": true, "maoyi": true, "gongye": true, "shiye": true, "jituan": true, "guoji": true,
	"keji": true, "jishu": true, "kaifa": true, "touzi": true, "konggu": true, "jinchukou": true, "fazhan": true,
	"kokusai": true, "gijutsu": true, "kaihatsu": true, "toshi": true, "shodan": true,
}

// particles join the parts of a name ("Bashar al-Assad", "Isa bin Tarif",
// "Bank of China"). They count very little; bin/ben/ibn and al/el/ul are
// treated as the same word.
var particles = map[string]string{
	"al": "al", "el": "al", "ul": "al", "ud": "al", "ur": "al", "az": "al",
	"bin": "bin", "ben": "bin", "ibn": "bin", "bint": "bin", "binti": "bin", "bte": "bin", "bn": "bin",
	"de": "de", "da": "de", "do": "de", "dos": "de", "das": "de", "del": "de", "della": "de", "di": "de",
	"du": "de", "des": "de", "la": "la", "le": "la", "les": "la", "lo": "la", "van": "van", "von": "van",
	"der": "der", "den": "der", "ter": "der", "zu": "der", "y": "and", "of": "of",
	"the": "the", "and": "and", "for": "of", "in": "of", "at": "of", "on": "of", "und": "and", "et": "and",
	"dan": "and", "va": "and", "ve": "and",
}

// titles are honorifics, ranks and vessel prefixes. They never count.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mister": true, "dr": true, "prof": true,
	"professor": true, "sir": true, "dame": true, "lord": true, "president": true, "prasident": true,
	"presidente": true, "senator": true, "honorable": true, "colonel": true, "col": true,
	"lt": true, "capt": true, "captain": true, "admiral": true, "adm": true, "maj": true, "sgt": true,
	"herr": true, "frau": true, "monsieur": true, "madame": true, "mme": true, "mlle": true,
	"senor": true, "senora": true, "sra": true, "sheikh": true, "shaikh": true, "shaykh": true,
	"sheik": true, "haji": true, "hajji": true, "alhaji": true, "mullah": true, "mulla": true,
	"maulvi": true, "maulana": true, "mawlawi": true, "imam": true, "mv": true, "hms": true,
}

// legalTrie finds the longest legal form starting at a token position.
type legalTrie struct {
	children map[string]*legalTrie
	end      bool
}

func buildLegalTrie(forms []string) *legalTrie {
	root := &legalTrie{children: map[string]*legalTrie{}}
	for _, f := range forms {
		n := root
		for _, w := range strings.Fields(f) {
			c := n.children[w]
			if c == nil {
				c = &legalTrie{children: map[string]*legalTrie{}}
				n.children[w] = c
			}
			n = c
		}
		n.end = true
	}
	return root
}

var legalRoot = buildLegalTrie(legalForms)

// matchLegal returns how many words from words[0] form a legal form, 0 if none.
func matchLegal(words []string) int {
	n, best := legalRoot, 0
	for i, w := range words {
		c := n.children[w]
		if c == nil {
			break
		}
		n = c
		if n.end {
			best = i + 1
		}
	}
	return best
}

// kanaLoans maps the Hepburn form of katakana loanwords common in company
// names to the English word, so that トレーディング can meet "Trading". The
// English word becomes an alternative form of the token.
var kanaLoans = map[string]string{
	"toredingu": "trading", "gurupu": "group", "horudingusu": "holdings", "horudingu": "holding",
	"intanashonaru": "international", "enjiniaringu": "engineering", "tekunoroji": "technology",
	"tekunorojizu": "technologies", "sabisu": "services", "shisutemu": "systems", "shisutemuzu": "systems",
	"indasutori": "industry", "indasutorizu": "industries", "koporeshon": "corporation", "kampani": "company",
	"rimiteddo": "limited", "erekutoronikusu": "electronics", "shippingu": "shipping", "rainzu": "lines",
	"enaji": "energy", "banku": "bank", "kemikaru": "chemical", "purodakutsu": "products", "senta": "center",
	"ajia": "asia", "amerika": "america", "chaina": "china", "koria": "korea", "roshia": "russia",
	"yoroppa": "europe", "gurobaru": "global", "jeneraru": "general", "jointo": "joint", "bencha": "venture", "nashonaru": "national",
	"yunion": "union", "kaunshiru": "council", "akademi": "academy", "insutichuto": "institute",
	"ekusupoto": "export", "inpoto": "import", "impoto": "import", "rojisutikusu": "logistics",
	"mashinari": "machinery", "ekuipumento": "equipment", "meneejimento": "management", "menejimento": "management",
	"matiriaruzu": "materials", "materiaruzu": "materials", "oiru": "oil", "gasu": "gas",
	"kyapitaru": "capital", "fando": "fund", "torasuto": "trust", "fainansu": "finance", "sekyuriti": "security",
	"difensu": "defense", "deberoppumento": "development", "deberopumento": "development", "mainingu": "mining", "kurejitto": "credit", "komasharu": "commercial", "ekuippumento": "equipment", "indasutoriaru": "industrial", "insutorumento": "instrument", "risachi": "research", "akademii": "academy", "ministori": "ministry", "byuro": "bureau", "depatomento": "department", "konpurekkusu": "complex", "kompurekkusu": "complex", "fakutori": "factory", "fakutorizu": "factories", "manyufakuchuaringu": "manufacturing", "sainsu": "science", "sainshizu": "sciences", "abieshon": "aviation", "avieshon": "aviation", "sabishizu": "services", "ratorii": "laboratory", "raboratori": "laboratory", "kemikaruzu": "chemicals", "hosupitaru": "hospital", "shippu": "ship", "marin": "marine", "oshan": "ocean", "maritaimu": "maritime", "eaporto": "airport", "eairainzu": "airlines",
}

// genericLoan reports katakana loanwords whose English word is generic.
func genericLoan(romaji string) bool {
	if placeWords[romaji] {
		return true
	}
	en, ok := kanaLoans[romaji]
	return ok && genericWords[en]
}

// placeWords are countries, regions and large cities that appear as
// qualifiers in company names ("Bank of China (Hong Kong)", "Banco
// Santander Mexico", "Leader (Hong Kong) International"). They are generic:
// a branch in another city is worth showing, but two names that share only
// a place are not alike.
var placeWords = map[string]bool{
	"china": true, "chinese": true, "hong": true, "kong": true, "macau": true, "macao": true, "taiwan": true,
	"japan": true, "japanese": true, "korea": true, "korean": true, "dprk": true, "russia": true, "russian": true,
	"iran": true, "iranian": true, "iraq": true, "syria": true, "syrian": true, "india": true, "pakistan": true,
	"turkey": true, "turkiye": true, "emirates": true, "dubai": true, "singapore": true, "malaysia": true,
	"thailand": true, "vietnam": true, "indonesia": true, "germany": true, "france": true, "italy": true,
	"spain": true, "mexico": true, "brazil": true, "chile": true, "canada": true, "america": true,
	"american": true, "europe": true, "european": true, "asia": true, "asian": true, "africa": true,
	"pacific": true, "atlantic": true,
	"belarus": true, "ukraine": true, "kazakhstan": true, "uzbekistan": true, "venezuela": true, "cuba": true,
	"libya": true, "lebanon": true, "yemen": true, "afghanistan": true, "sudan": true, "myanmar": true,
	"beijing": true, "shanghai": true, "shenzhen": true, "guangzhou": true, "tianjin": true, "dalian": true,
	"moscow": true, "tehran": true, "pyongyang": true, "istanbul": true, "minsk": true, "tokyo": true,
	"osaka": true, "london": true, "rossii": true, "rossiya": true, "zhongguo": true, "chugoku": true,
	"nihon": true, "nippon": true, "chosen": true, "chaoxian": true,
}

// isPatronymic reports an East Slavic patronymic (Viktorovich, Oleksandrovych,
// Ivanovna).
func isPatronymic(w string) bool {
	for _, suf := range [...]string{"ovich", "evich", "ovych", "evych", "ovitch", "evitch", "ovna", "evna", "ivna", "ichna"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// legalFamily groups legal forms that name the same kind of company, for
// the families whose confusion means a different entity: a German AG is not
// the GmbH of the same name, a Russian OOO (LLC) is not the AO (JSC), and an
// ANO is a non-profit. Other forms (Ltd, Inc, Co, K.K.) are translated into
// each other too freely to tell anything.
var legalFamily = map[string]uint8{
	"ag": 1, "aktiengesellschaft": 1,
	"gmbh": 2, "gesellschaft mit beschrankter haftung": 2,
	"llc": 4, "ooo": 4, "obshchestvo s ogranichennoy otvetstvennostyu": 4, "limited liability company": 4, "tov": 4, "too": 4,
	"jsc": 8, "ojsc": 8, "cjsc": 8, "pjsc": 8, "ao": 8, "oao": 8, "zao": 8, "pao": 8, "joint stock company": 8,
	"open joint stock company": 8, "closed joint stock company": 8, "public joint stock company": 8,
	"aktsionernoe obshchestvo": 8, "otkrytoe aktsionernoe obshchestvo": 8, "zakrytoe aktsionernoe obshchestvo": 8,
	"publichnoe aktsionernoe obshchestvo": 8,
	"ano":                                 16, "avtonomnaya nekommercheskaya organizatsiya": 16,
}
