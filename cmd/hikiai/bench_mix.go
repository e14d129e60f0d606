package main

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// The bench's inquiries: a deterministic mix (inquiry i depends only on the
// seed and i) of ordinary Japanese and Latin-script customers, and of
// inquiries meant to raise each red flag. The scenario names are the flag
// each one is meant to raise, so the summary can show that the mix does what
// it says.

// benchScenario is one kind of inquiry in the mix, with its share in percent.
type benchScenario struct {
	name   string
	weight int
}

const scenarioClean = "clean"

var benchScenarios = []benchScenario{
	{scenarioClean, 66},
	{"spec_use_mismatch", 5},
	{screening.CodeDuplicateInquiry, 5},
	{"shared_contact", 4},
	{"end_user_change", 4},
	{"payer_mismatch", 6},
	{"denied_party", 5},
	{screening.CodeNoWebsite, 5},
}

// benchCompany is one counterparty of the mix.
type benchCompany struct {
	screening.Party
	portal bool // listed on the bench's site, which its Website points to
}

// benchMix builds the inquiries of one bench run.
type benchMix struct {
	run    string // in every reference, so runs never collide
	seed   uint64
	start  time.Time     // received_at of inquiry 0
	step   time.Duration // received_at advances this much per inquiry
	pool   []benchCompany
	ring   []benchCompany // ask for one controlled product at about the same time
	fronts []benchCompany // one phone, mailbox and office between them
	noSite []benchCompany // free mail only
	parked []benchCompany // a parked site (only with websites)
	// websites: the pool's first portalCompanies customers point at the bench's
	// site as 127.0.0.1, the parked ones at it as localhost (the website check
	// caches per host).
	websites bool
}

// portalCompanies is how many customers of the pool have a website on the
// bench's site; their names must fit in the 64 KB of page text the website
// check reads.
const portalCompanies = 300

var (
	jaStems = strings.Fields(`山田 中村 東洋 日本 大和 昭和 朝日 富士 三和 北陸 関西 東海 信州 九州 千代田 丸菱 新光 大成
		アサヒ サクラ ミドリ ヤマト ヒカリ 太平洋 北斗 ＮＫ ＴＫＳ ＡＢＣ`)
	jaKinds  = strings.Fields(`精機 製作所 工業 精密 商事 電機 化成 機械 テクノ マシナリー 工機 金型`)
	jaCities = []string{"東京都大田区蒲田", "大阪府東大阪市高井田", "愛知県豊田市元町", "神奈川県川崎市中原区", "静岡県浜松市中区",
		"長野県諏訪市湖岸通り", "新潟県燕市吉田", "福岡県北九州市小倉北区"}
	latinStems = strings.Fields(`Müller Schmidt Acme Apex Nordic Vertex Summit Pioneer Atlas Orion Keystone Bluewater Ironbridge
		Redwood Silverline Crestview Harbor Lindqvist Dubois Rossi Novak Kowalski Jensen`)
	latinKinds = []struct{ suffix, country, phone string }{
		{"Präzision GmbH", "DE", "+49 30 %07d"}, {"Tooling Ltd", "GB", "+44 20 7946 %04d"},
		{"Machine Works Inc.", "US", "+1 312 555 %04d"}, {"Industries Pte. Ltd.", "SG", "+65 6%03d %04d"},
		{"Engineering S.A.", "FR", "+33 1 %02d %02d %02d %02d"}, {"Automotive Parts Sdn. Bhd.", "MY", "+60 3 %04d %04d"},
		{"Components B.V.", "NL", "+31 20 %03d %04d"}, {"Manufacturing Co., Ltd.", "TH", "+66 2 %03d %04d"},
	}
	cleanUses = []string{"自動車部品の量産加工", "金型の製作", "半導体製造装置部品の加工", "医療機器部品の試作", "油圧機器の部品加工",
		"machining of automotive brake components", "die and mould making for consumer electronics", "aircraft interior parts (non-structural) prototyping"}
	cleanItems = []string{"治具一式", "交換部品", "切削工具", "spare parts kit for", "fixture plates", "coolant pump assembly"}
	schoolUses = []string{"学校教育用", "専門学校の実習用", "for vocational training at a school", "趣味の模型製作"}
	hvacUses   = []string{"空調ファンの制御用", "ビル換気設備のファン駆動", "HVAC fan control", "irrigation water pump"}
	// deniedNames are on the public sample lists (US CSL, OFAC SDN, METI, MOF),
	// written as an inquiry might: plain, in full-width letters, in Japanese,
	// and misspelt.
	deniedNames = []struct{ name, country string }{
		{"Harbin Institute of Technology", "CN"}, {"ＨＡＲＢＩＮ　ＩＮＳＴＩＴＵＴＥ　ＯＦ　ＴＥＣＨＮＯＬＯＧＹ", "CN"},
		{"Harbin Inst of Techology", "CN"}, {"Beihang University", "CN"}, {"北京航空航天大学", "CN"},
		{"朝鮮鉱業開発貿易会社", "KP"}, {"Korea Ryonbong General Corporation", "KP"}, {"Mahan Air", "IR"},
		{"Bank Melli Iran", "IR"}, {"Rosoboronexport", "RU"}, {"Namchongang Trading", "KP"},
		{"Second Academy of Natural Sciences", "KP"}, {"Aviazapchast", "RU"}, {"Novin Energy Company", "IR"},
	}
	payers = []screening.Party{{Name: "Golden Bridge Holdings Ltd", Country: "HK"}, {Name: "Pacific Rim Finance Ltd", Country: "SG"},
		{Name: "Everbright Capital Management Ltd", Country: "VG"}, {Name: "株式会社グローバル決済サービス", Country: "JP"}}
	newEndUsers = []screening.Party{{Name: "Thai Precision Moulds Co., Ltd.", Country: "TH"}, {Name: "Gulf Machinery Trading FZE", Country: "AE"}}
)

// newBenchMix builds the counterparties of a run; inquiries carry no websites
// until setSite.
func newBenchMix(run string, seed uint64, start time.Time) *benchMix {
	m := &benchMix{run: run, seed: seed, start: start, step: 30 * time.Second}
	n := 0
	for _, s := range jaStems {
		for _, k := range jaKinds {
			name := [...]string{"株式会社" + s + k, s + k + "株式会社", "有限会社" + s + k}[n%3]
			city := jaCities[n%len(jaCities)]
			m.pool = append(m.pool, benchCompany{Party: screening.Party{Name: name, Country: "JP",
				Address: fmt.Sprintf("%s%d-%d-%d", city, 1+n%9, 1+n%30, 1+n), Phone: fmt.Sprintf("03-%04d-%04d", 1000+n/10000, n%10000),
				Contact: "購買部 担当者" + strconv.Itoa(n)}})
			n++
		}
	}
	for _, s := range latinStems {
		for _, k := range latinKinds {
			m.pool = append(m.pool, benchCompany{Party: screening.Party{Name: s + " " + k.suffix, Country: k.country,
				Address: fmt.Sprintf("%d %s Street, %s", 1+n%300, s, k.country), Phone: latinPhone(k.phone, n)}})
			n++
		}
	}
	// Interleave, so that the portal and every slice of the pool hold both scripts.
	ja, la := m.pool[:len(jaStems)*len(jaKinds)], m.pool[len(jaStems)*len(jaKinds):]
	mixed := make([]benchCompany, 0, len(m.pool))
	for i := 0; i < len(ja) || i < len(la); i++ {
		if i < len(ja) {
			mixed = append(mixed, ja[i])
		}
		if i < len(la) {
			mixed = append(mixed, la[i])
		}
	}
	m.pool = mixed
	for i := range min(portalCompanies, len(m.pool)) {
		m.pool[i].portal = true
	}
	for i, c := range []struct{ name, country string }{
		{"Shenzhen Hongda Trading Co., Ltd.", "CN"}, {"Taipei Jinhua Industrial Supply", "TW"}, {"Almaty Tech Supply LLP", "KZ"},
		{"Istanbul Makina Tedarik Ltd. Şti.", "TR"}, {"Kuala Lumpur Precision Sourcing Sdn. Bhd.", "MY"}, {"Dubai Advanced Materials FZE", "AE"},
		{"ミナト貿易株式会社", "JP"}, {"Baku Industrial Procurement LLC", "AZ"}, {"Yerevan Engineering Supply CJSC", "AM"},
		{"Tashkent Machine Trade LLC", "UZ"}, {"Bangkok Powder Forming Co., Ltd.", "TH"}, {"Hanoi Metal Technology JSC", "VN"},
	} {
		m.ring = append(m.ring, benchCompany{Party: screening.Party{Name: c.name, Country: c.country, Phone: fmt.Sprintf("+7 700 %03d %04d", 100+i, 1000+i)}})
	}
	for _, name := range []string{"Asia Pacific Sourcing Ltd", "Victory Machinery Trading Co", "Oriental Link Industrial Ltd",
		"Silver Harbour Supply Co", "東亜機材商会", "New Horizon Equipment HK Ltd"} {
		m.fronts = append(m.fronts, benchCompany{Party: screening.Party{Name: name, Country: "HK",
			Address: "Room 1201, 88 Queen's Road Central, Hong Kong", Phone: "+852 3001 2233", Email: "procure.asia2026@gmail.com"}})
	}
	for i, c := range []struct{ name, country, email string }{
		{"株式会社フジミ精工", "JP", "fujimi.seiko@yahoo.co.jp"}, {"Zenith Global Trading", "AE", "zenith.global.trading@gmail.com"},
		{"Orient Star Equipment", "HK", "orientstar.equip@outlook.com"}, {"Nova Tech Solutions", "SG", "novatech.sg@gmail.com"},
		{"合同会社ミライ機工", "JP", ""}, {"Parkside Industrial Supply", "US", ""},
	} {
		p := benchCompany{Party: screening.Party{Name: c.name, Country: c.country, Email: c.email, Phone: fmt.Sprintf("+971 4 %03d %04d", 300+i, 2000+i)}}
		if c.email == "" {
			m.parked = append(m.parked, p)
		} else {
			m.noSite = append(m.noSite, p)
		}
	}
	return m
}

// setSite points the portal customers at siteURL (http://127.0.0.1:PORT) and
// the parked ones at parkedURL (http://localhost:PORT).
func (m *benchMix) setSite(siteURL, parkedURL string) {
	m.websites = true
	for i := range m.pool {
		if m.pool[i].portal {
			m.pool[i].Website = siteURL + "/c/" + strconv.Itoa(i)
		}
	}
	for i := range m.parked {
		m.parked[i].Website = parkedURL + "/"
	}
}

func latinPhone(format string, n int) string {
	switch strings.Count(format, "%") {
	case 1:
		return fmt.Sprintf(format, n)
	case 2:
		return fmt.Sprintf(format, n%1000, n)
	default:
		return fmt.Sprintf(format, n%100, (n/100)%100, 10+n%90, 10+(n/7)%90)
	}
}

// inquiry returns inquiry i of the run and the scenario it belongs to.
func (m *benchMix) inquiry(i int) (screening.Inquiry, string) {
	r := rand.New(rand.NewPCG(m.seed, uint64(i)))
	pick := func(n int) int { return r.IntN(n) }
	w := pick(100)
	scenario := benchScenarios[0].name
	for _, s := range benchScenarios {
		if w < s.weight {
			scenario = s.name
			break
		}
		w -= s.weight
	}
	customer := m.pool[pick(len(m.pool))]
	// One product of a large catalogue: ordinary inquiries rarely ask for the
	// same one within the duplicate window, as in real intake.
	sku := fmt.Sprintf("PX-%07d", pick(2_000_000))
	inq := screening.Inquiry{
		Reference:  fmt.Sprintf("BENCH-%s-%d", m.run, i),
		Deal:       fmt.Sprintf("D-%s-%d", m.run, i),
		ReceivedAt: m.start.Add(time.Duration(i) * m.step),
		Customer:   customer.Party,
		Items:      []screening.Item{{Product: sku, Description: cleanItems[pick(len(cleanItems))] + " " + sku, Quantity: float64(1 + pick(20))}},
		EndUse:     cleanUses[pick(len(cleanUses))],
	}
	inq.DestinationCountry = customer.Country
	if pick(3) == 0 {
		eu := m.pool[pick(len(m.pool))].Party
		inq.EndUser = &screening.Party{Name: eu.Name, Country: eu.Country}
		inq.DestinationCountry = eu.Country
	}
	switch scenario {
	case "spec_use_mismatch":
		if pick(2) == 0 {
			inq.Items = []screening.Item{{Product: "MC-5X200", Description: "同時5軸立形マシニングセンタ", Quantity: 1,
				HSCode: "8457.10", Specs: map[string]any{"axes": 5.0, "positioning_accuracy_um": 0.8}}}
			inq.EndUse = schoolUses[pick(len(schoolUses))]
		} else {
			inq.Items = []screening.Item{{Product: "INV-HF700", Description: "三相高周波インバータ", Quantity: float64(2 + pick(10))}}
			inq.EndUse = hvacUses[pick(len(hvacUses))]
		}
	case screening.CodeDuplicateInquiry:
		inq.Customer = m.ring[pick(len(m.ring))].Party
		inq.DestinationCountry = inq.Customer.Country
		inq.EndUser = nil
		inq.Items = []screening.Item{{Product: "CIP-300", Description: "冷間等方圧加圧装置", Quantity: 1}}
		inq.EndUse = "粉末冶金部品の成形"
	case "shared_contact":
		inq.Customer = m.fronts[pick(len(m.fronts))].Party
		inq.DestinationCountry = "HK"
		inq.EndUser = nil
	case "end_user_change":
		k := pick(20) // a few deals, each asked about again and again
		inq.Customer = m.pool[k%len(m.pool)].Party
		inq.Deal = fmt.Sprintf("EUC-%s-%d", m.run, k)
		eu := newEndUsers[pick(len(newEndUsers))]
		inq.EndUser = &eu
		inq.DestinationCountry = eu.Country
	case "payer_mismatch":
		p := payers[pick(len(payers))]
		inq.Payer = &p
	case "denied_party":
		d := deniedNames[pick(len(deniedNames))]
		if pick(2) == 0 {
			inq.Customer = screening.Party{Name: d.name, Country: d.country}
		} else {
			inq.EndUser = &screening.Party{Name: d.name, Country: d.country}
		}
		inq.DestinationCountry = d.country
	case screening.CodeNoWebsite:
		from := m.noSite
		if m.websites {
			from = append(from[:len(from):len(from)], m.parked...)
		}
		inq.Customer = from[pick(len(from))].Party
		inq.DestinationCountry = inq.Customer.Country
		inq.EndUser = nil
	}
	return inq, scenario
}

// benchSite is the website of the mix's customers on 127.0.0.1: as
// 127.0.0.1 it is a trade directory naming every portal customer, as
// localhost a parked domain. The website check fetches each host once and
// then answers from its cache; hits counts the fetches that reached us.
type benchSite struct {
	srv  *http.Server
	url  string // http://127.0.0.1:PORT
	hits atomic.Int64
	page []byte
}

func startBenchSite(names []string) (*benchSite, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench site: %w", err)
	}
	s := &benchSite{url: "http://" + ln.Addr().String()}
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=ja><head><meta charset=utf-8><title>関東製造業ディレクトリ / Kanto Manufacturers Directory</title></head><body><h1>会員企業一覧</h1><ul>\n")
	for _, n := range names {
		fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(n))
	}
	b.WriteString("</ul><footer>© 2026 Kanto Manufacturers Directory</footer></body></html>\n")
	s.page = []byte(b.String())
	parked := []byte("<!doctype html><html><head><title>This domain is for sale</title></head><body><h1>This domain is for sale</h1><p>Buy this domain today.</p></body></html>\n")
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		host, _, _ := net.SplitHostPort(r.Host)
		if host == "localhost" {
			w.Write(parked)
			return
		}
		w.Write(s.page)
	})}
	go func() { _ = s.srv.Serve(ln) }() // ends with close
	return s, nil
}

func (s *benchSite) parkedURL() string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "http://"))
	return "http://localhost:" + port
}

func (s *benchSite) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// portalNames are the names the site lists.
func (m *benchMix) portalNames() []string {
	var out []string
	for _, c := range m.pool {
		if c.portal {
			out = append(out, c.Name)
		}
	}
	return out
}
