package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// lang is the language of a page: Japanese by default, English when the
// person switched (a cookie remembers it).
type lang string

const (
	langJA lang = "ja"
	langEN lang = "en"
)

func langOf(c *gin.Context) lang {
	if ck, err := c.Request.Cookie(langCookie); err == nil && ck.Value == "en" {
		return langEN
	}
	return langJA
}

// Code is the page's lang attribute.
func (l lang) Code() string { return string(l) }

// Other is the language the switch leads to, and OtherName its name in itself.
func (l lang) Other() string {
	if l == langEN {
		return "ja"
	}
	return "en"
}

func (l lang) OtherName() string {
	if l == langEN {
		return "日本語"
	}
	return "English"
}

// T translates a message key; a missing key shows as itself (the package
// tests check that every key used exists in both languages).
func (l lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l == langEN {
		return m[1]
	}
	return m[0]
}

// F translates a key whose message has fmt verbs.
func (l lang) F(key string, args ...any) string { return fmt.Sprintf(l.T(key), args...) }

// has reports whether the key exists.
func has(key string) bool { _, ok := messages[key]; return ok }

// SpecLabel names a spec key of the vocabulary ("axes" → 同時制御軸数).
func (l lang) SpecLabel(key string) string {
	if has("spec." + key) {
		return l.T("spec." + key)
	}
	return key
}

func (l lang) flagTitle(code string) string {
	if has("flag." + code) {
		return l.T("flag." + code)
	}
	return code
}

// flagText is the meaning or to-do text of a flag code.
func (l lang) flagText(kind, code string) string {
	if has(kind + "." + code) {
		return l.T(kind + "." + code)
	}
	return l.T(kind + ".other")
}

func (l lang) roleName(role string) string {
	if role == "" {
		return ""
	}
	if strings.HasPrefix(role, "intermediaries[") {
		role = screening.RoleIntermediary
	}
	if has("role.party." + role) {
		return l.T("role.party." + role)
	}
	return role
}

// evidenceLabel names an evidence key; keys without a translation are shown
// with spaces for underscores.
func (l lang) evidenceLabel(key string) string {
	if has("ev." + key) {
		return l.T("ev." + key)
	}
	return strings.ReplaceAll(key, "_", " ")
}

func (l lang) contactKind(kind string) string {
	if has("contact." + kind) {
		return l.T("contact." + kind)
	}
	return kind
}

func (l lang) listName(source string) string {
	en, ja := screening.ListName(source)
	if l == langEN {
		return en
	}
	return ja
}

// jst is the time zone the pages show: the users work in Japan, which has no
// daylight saving time, so a fixed zone needs no tz database in the binary.
var jst = time.FixedZone("JST", 9*3600)

func (l lang) dateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(jst).Format("2006-01-02 15:04 JST")
}

// formError turns a form error key (see form.go) into words.
func (l lang) formError(key string) string {
	if raw, ok := strings.CutPrefix(key, "raw:"); ok {
		return raw
	}
	if k, line, ok := strings.Cut(key, ":"); ok {
		n, _ := strconv.Atoi(line)
		return l.F(k, n)
	}
	return l.T(key)
}

// reasonError translates screening.CheckReason's answers.
func (l lang) reasonError(why string) string {
	switch {
	case strings.HasPrefix(why, "required"):
		return l.T("reason.required")
	case strings.HasPrefix(why, "at most"):
		return l.F("reason.long", screening.MaxReasonLength)
	}
	return why
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"inc": func(i int) int { return i + 1 },
	}
}

// countries offered in the country inputs' suggestion list; any ISO code may
// be typed.
var countries = [][3]string{
	{"JP", "日本", "Japan"}, {"CN", "中国", "China"}, {"HK", "香港", "Hong Kong"}, {"TW", "台湾", "Taiwan"},
	{"KR", "韓国", "South Korea"}, {"KP", "北朝鮮", "North Korea"}, {"US", "米国", "United States"}, {"CA", "カナダ", "Canada"},
	{"MX", "メキシコ", "Mexico"}, {"BR", "ブラジル", "Brazil"}, {"GB", "英国", "United Kingdom"}, {"DE", "ドイツ", "Germany"},
	{"FR", "フランス", "France"}, {"IT", "イタリア", "Italy"}, {"NL", "オランダ", "Netherlands"}, {"CH", "スイス", "Switzerland"},
	{"RU", "ロシア", "Russia"}, {"BY", "ベラルーシ", "Belarus"}, {"UA", "ウクライナ", "Ukraine"}, {"TR", "トルコ", "Türkiye"},
	{"IR", "イラン", "Iran"}, {"IQ", "イラク", "Iraq"}, {"SY", "シリア", "Syria"}, {"IL", "イスラエル", "Israel"},
	{"AE", "アラブ首長国連邦", "United Arab Emirates"}, {"SA", "サウジアラビア", "Saudi Arabia"}, {"PK", "パキスタン", "Pakistan"}, {"IN", "インド", "India"},
	{"SG", "シンガポール", "Singapore"}, {"MY", "マレーシア", "Malaysia"}, {"TH", "タイ", "Thailand"}, {"VN", "ベトナム", "Viet Nam"},
	{"ID", "インドネシア", "Indonesia"}, {"PH", "フィリピン", "Philippines"}, {"MM", "ミャンマー", "Myanmar"}, {"AU", "オーストラリア", "Australia"},
	{"KZ", "カザフスタン", "Kazakhstan"}, {"KG", "キルギス", "Kyrgyzstan"}, {"AM", "アルメニア", "Armenia"}, {"GE", "ジョージア", "Georgia"},
	{"AF", "アフガニスタン", "Afghanistan"}, {"LY", "リビア", "Libya"}, {"SD", "スーダン", "Sudan"}, {"VE", "ベネズエラ", "Venezuela"}, {"CU", "キューバ", "Cuba"},
}

func countryOptions(l lang) []option {
	out := make([]option, 0, len(countries))
	for _, c := range countries {
		name := c[1]
		if l == langEN {
			name = c[2]
		}
		out = append(out, option{Value: c[0], Label: name})
	}
	return out
}

// messages are the words of the pages: key → {Japanese, English}.
var messages = map[string][2]string{
	// layout
	"brand.sub":            {"引き合いチェック", "inquiry check"},
	"nav.skip":             {"本文へ移動", "Skip to content"},
	"nav.label":            {"メインメニュー", "Main menu"},
	"nav.check":            {"引き合いをチェック", "Check an inquiry"},
	"nav.screenings":       {"チェック履歴", "Checked inquiries"},
	"nav.cases":            {"審査キュー", "Review queue"},
	"nav.search":           {"会社を探す", "Find a company"},
	"nav.signout":          {"サインアウト", "Sign out"},
	"foot.text":            {"Hikiai は輸出管理の判断を助ける道具です。最終判断は輸出管理担当が行います。", "Hikiai helps export control decide; the decision stays with export control."},
	"role.sales":           {"営業", "sales"},
	"role.reviewer":        {"審査担当", "reviewer"},
	"role.admin":           {"管理者", "admin"},
	"role.erp":             {"ERP", "ERP"},
	"suggest.counterparty": {"取引先", "Known company"},
	"suggest.list":         {"リスト掲載", "Listed"},
	"suggest.count":        {"候補 %d 件。上下の矢印キーで選び、Enterで決定します。", "%d suggestions. Use the up and down arrows, Enter to choose."},
	"suggest.none":         {"候補はありません", "No suggestions"},
	"list.sep":             {"、", ", "},
	"list.more":            {"さらに表示", "Show more"},

	// sign-in
	"signin.title":   {"サインイン", "Sign in"},
	"signin.lead":    {"配布された API キーでサインインしてください。", "Sign in with the API key you were given."},
	"signin.key":     {"API キー", "API key"},
	"signin.hint":    {"「hk_」で始まる文字列です。キーそのものはサーバーにもブラウザにも保存されません。", "It starts with “hk_”. The key itself is kept neither on the server nor in the browser."},
	"signin.submit":  {"サインイン", "Sign in"},
	"signin.help":    {"キーがわからないときは、輸出管理担当またはシステム管理者に問い合わせてください。", "If you do not have a key, ask export control or your administrator."},
	"signin.bad":     {"API キーが正しくないか、無効になっています。", "This API key is wrong or has been revoked."},
	"signin.empty":   {"API キーを入力してください。", "Enter your API key."},
	"signin.erp":     {"ERP 連携用のキーでは画面にサインインできません。営業用または審査用のキーを使ってください。", "ERP keys cannot sign in to the pages. Use a sales or reviewer key."},
	"signin.expired": {"画面の有効期限が切れました。もう一度サインインしてください。", "The sign-in form expired. Please sign in again."},
	"signin.toomany": {"サインインの試行が多すぎます。1分ほど待ってからやり直してください。", "Too many sign-in attempts. Wait a minute and try again."},

	// errors
	"error.title":       {"問題が発生しました", "Something went wrong"},
	"error.internal":    {"処理中に問題が発生しました。しばらくしてからやり直してください。続く場合は下の番号を添えて管理者に連絡してください。", "Something went wrong. Try again shortly; if it persists, tell your administrator the number below."},
	"error.notfound":    {"お探しのページは見つかりません。", "This page does not exist."},
	"error.forbidden":   {"このページを開く権限がありません。", "You are not allowed to open this page."},
	"error.unavailable": {"データベースに接続できません。少し待ってからやり直してください。", "The database cannot be reached. Try again shortly."},
	"error.csrf":        {"フォームの有効期限が切れたか、別のサイトから送信されました。ページを読み込み直してから、もう一度送信してください。", "The form expired or came from another site. Reload the page and send it again."},
	"error.requestid":   {"問い合わせ番号", "Request number"},
	"error.back":        {"トップへ戻る", "Back to the start"},

	// check form
	"check.title":        {"引き合いをチェック", "Check an inquiry"},
	"check.lead":         {"引き合いの内容を入力すると、注意すべき点がないかを確認します。わかる範囲で入力してください。「必須」の項目以外は空欄でもかまいません。", "Enter the inquiry and Hikiai looks for warning signs. Fill in what you know; only fields marked “required” must be filled."},
	"check.basics":       {"引き合いの番号", "Inquiry numbers"},
	"check.use":          {"仕向地と用途", "Destination and use"},
	"check.submit":       {"チェックする", "Check"},
	"check.submit.hint":  {"結果はすぐに表示されます。", "The result appears at once."},
	"form.required":      {"必須", "required"},
	"form.errors.title":  {"入力内容を確認してください", "Please check these fields"},
	"form.err.number":    {"数字で入力してください（例: 0.8）", "Enter a number (e.g. 0.8)"},
	"form.err.specline":  {"%d 行目を「項目=値」の形で書いてください（例: travel_mm=500）", "Write line %d as key=value (e.g. travel_mm=500)"},
	"form.err.required":  {"入力してください", "Required"},
	"form.err.partyname": {"会社名を入力してください（他の欄に入力があります）", "Enter the company name (other fields of this party are filled)"},
	"form.err.noitem":    {"品目を1つ以上入力してください", "Enter at least one item"},
	"form.err.product":   {"品番か品名のどちらかを入力してください", "Enter a product code or a description"},
	"form.err.quantity":  {"数量を正の数で入力してください", "Enter a quantity above zero"},
	"form.err.email":     {"メールアドレスの形ではありません", "This is not an e-mail address"},
	"form.err.country":   {"国は2文字のコードで入力してください（例: CN, US）", "Use the two-letter country code (e.g. CN, US)"},
	"form.err.url":       {"http または https で始まる URL を入力してください", "Enter an http or https address"},
	"form.err.hscode":    {"HS コードは数字とドットで入力してください（例: 8457.10）", "Digits and dots only (e.g. 8457.10)"},
	"form.err.long":      {"長すぎます", "Too long"},
	"form.err.control":   {"使えない文字が含まれています", "Contains characters that cannot be used"},
	"form.err.reference": {"この引き合い番号は別の内容で使われています。番号を変えるか空欄にしてください", "This inquiry number was used for a different inquiry; change it or leave it empty"},

	"field.reference":                  {"引き合い番号", "Inquiry number"},
	"field.deal":                       {"案件番号", "Deal number"},
	"hint.reference":                   {"社内の引き合い番号があれば入力してください（同じ番号で再送すると前の結果が表示されます）。", "Your own inquiry number, if any (sending it again shows the first result)."},
	"hint.deal":                        {"同じ案件の引き合いを結びつけます（最終需要者の変更に気づくため）。", "Links inquiries of one deal (to notice a changed end user)."},
	"field.same":                       {"注文者と同じ", "Same as the customer"},
	"field.name":                       {"会社名", "Company name"},
	"field.country":                    {"国", "Country"},
	"field.address":                    {"住所", "Address"},
	"field.email":                      {"メールアドレス", "E-mail"},
	"field.phone":                      {"電話番号", "Phone"},
	"field.fax":                        {"FAX番号", "Fax"},
	"field.website":                    {"ウェブサイト", "Website"},
	"field.contact":                    {"担当者名", "Contact person"},
	"field.affiliates":                 {"グループ会社", "Group companies"},
	"hint.name":                        {"入力すると、過去の取引先やリスト掲載企業の候補が表示されます。", "Typing shows known companies and listed names."},
	"hint.country":                     {"2文字の国コード（例: CN）", "Two-letter code (e.g. CN)"},
	"hint.website":                     {"例: www.example.com", "e.g. www.example.com"},
	"hint.affiliates":                  {"注文者が自社のグループ会社として挙げた会社名を1行に1社ずつ。", "Companies the customer names as its group, one per line."},
	"field.destination":                {"仕向地（出荷先の国）", "Destination country"},
	"hint.destination":                 {"2文字の国コード（例: CN）", "Two-letter code (e.g. CN)"},
	"field.end_use":                    {"用途（相手が説明した使いみち）", "Declared use"},
	"hint.end_use":                     {"相手の説明をそのまま書いてください（例: 学校の実習用、自動車部品の加工）。", "Write what the customer said (e.g. “for a school workshop”, “machining car parts”)."},
	"party.customer":                   {"注文者（引き合い元）", "Customer (who asks)"},
	"party.end_user":                   {"最終需要者（実際に使う会社）", "End user (who will use it)"},
	"party.consignee":                  {"荷受人（荷物を受け取る会社）", "Consignee (who receives the goods)"},
	"party.payer":                      {"支払者（代金を払う会社）", "Payer (who pays)"},
	"partyhint.customer":               {"引き合いをしてきた会社です。", "The company that sent the inquiry."},
	"partyhint.end_user":               {"わからない場合は空欄にしてください。", "Leave empty if you do not know."},
	"partyhint.consignee":              {"注文者と違う場合だけ入力してください。", "Only when it differs from the customer."},
	"partyhint.payer":                  {"注文者以外が支払う場合は必ず入力してください。", "Always fill this in when someone other than the customer pays."},
	"more.customer":                    {"その他の連絡先とグループ会社", "More contact details and group companies"},
	"more.end_user":                    {"住所・連絡先", "Address and contact details"},
	"more.consignee":                   {"住所・連絡先", "Address and contact details"},
	"more.payer":                       {"住所・連絡先", "Address and contact details"},
	"item.legend":                      {"品目 %d", "Item %d"},
	"item.add":                         {"品目 %d を追加する", "Add item %d"},
	"item.specs":                       {"主な仕様", "Main specifications"},
	"item.specs.hint":                  {"わかる項目だけ入力してください。カタログの値でかまいません。", "Fill in what you know; catalogue values are fine."},
	"field.product":                    {"品番", "Product code"},
	"hint.product":                     {"例: MC-5X200", "e.g. MC-5X200"},
	"field.description":                {"品名・説明", "Description"},
	"field.quantity":                   {"数量", "Quantity"},
	"field.unit":                       {"単位", "Unit"},
	"field.hs_code":                    {"HS コード", "HS code"},
	"hint.hs_code":                     {"例: 8457.10", "e.g. 8457.10"},
	"field.control_entry":              {"該非判定の項番", "Control entry"},
	"hint.control_entry":               {"該非判定書にある項番（例: 2B001）。わからなければ空欄。", "From the classification sheet (e.g. 2B001); empty if unknown."},
	"field.specs_other":                {"その他の仕様（1行に1項目、項目=値）", "Other specifications (one per line, key=value)"},
	"hint.specs_other":                 {"例: travel_mm=500", "e.g. travel_mm=500"},
	"unit.pcs":                         {"台・個", "pieces"},
	"unit.kg":                          {"kg", "kg"},
	"unit.t":                           {"トン", "tonnes"},
	"unit.m":                           {"メートル", "metres"},
	"unit.l":                           {"リットル", "litres"},
	"spec.axes":                        {"同時制御軸数", "Contouring axes"},
	"spec.positioning_accuracy_um":     {"位置決め精度", "Positioning accuracy"},
	"spec.repeatability_um":            {"繰り返し位置決め精度", "Repeatability"},
	"spec.output_frequency_hz":         {"最大出力周波数", "Max output frequency"},
	"spec.frequency_control_percent":   {"周波数制御精度", "Frequency control"},
	"spec.travel_mm":                   {"最大ストローク（mm）", "Longest travel (mm)"},
	"spec.power_va":                    {"出力（VA）", "Output power (VA)"},
	"spec.phases":                      {"出力相数", "Output phases"},
	"spec.specific_modulus_m":          {"比弾性率（m）", "Specific modulus (m)"},
	"spec.specific_tensile_strength_m": {"比強度（m）", "Specific tensile strength (m)"},
	"spec.tensile_strength_mpa":        {"引張強さ（MPa）", "Tensile strength (MPa)"},
	"spec.volume_l":                    {"容量（L）", "Volume (L)"},
	"spec.flow_l_per_h":                {"処理量（L/h）", "Flow (L/h)"},
	"spec.pressure_mpa":                {"使用圧力（MPa）", "Pressure (MPa)"},
	"spec.chamber_diameter_mm":         {"チャンバー内径（mm）", "Chamber diameter (mm)"},
	"spec.force_kn":                    {"加振力（kN）", "Force (kN)"},
	"spec.mass_range_u":                {"質量範囲（u）", "Mass range (u)"},
	"spec.quantity_unit":               {"数量の単位", "Quantity unit"},

	// result
	"result.title":         {"チェック結果: %s", "Result: %s"},
	"result.heading":       {"チェック結果", "Result"},
	"result.screened":      {"チェック日時", "Checked"},
	"result.casestatus":    {"輸出管理担当の判断", "Export control's decision"},
	"result.reason":        {"理由", "Reason"},
	"result.verdict":       {"判定", "Verdict"},
	"result.level":         {"リスク", "Risk"},
	"result.score":         {"スコア %d / 100", "score %d of 100"},
	"result.next":          {"次にすること", "What to do next"},
	"result.opencase":      {"審査ケースを開く", "Open the case"},
	"result.reasons":       {"確認できなかったこと", "What could not be checked"},
	"result.flags":         {"見つかった注意点（%d 件）", "Warning signs found (%d)"},
	"result.severity":      {"重要度", "Severity"},
	"result.points":        {"%d 点", "%d points"},
	"result.suppressed":    {"誤検知として登録済み（点数に数えません）", "Marked as a false hit (no points)"},
	"result.meaning":       {"この注意点の意味", "What this means"},
	"result.todo":          {"あなたがすること", "What you do"},
	"result.evidence":      {"根拠を見る", "Show the evidence"},
	"result.noflags":       {"注意すべき点は見つかりませんでした。", "No warning signs were found."},
	"result.again":         {"別の引き合いをチェックする", "Check another inquiry"},
	"result.list":          {"チェック履歴を見る", "See checked inquiries"},
	"gauge.label":          {"リスクスコア 100点中 %d 点（%s）", "Risk score %d of 100 (%s)"},
	"level.low":            {"低", "low"},
	"level.medium":         {"中", "medium"},
	"level.high":           {"高", "high"},
	"severity.info":        {"参考", "info"},
	"severity.low":         {"低", "low"},
	"severity.medium":      {"中", "medium"},
	"severity.high":        {"高", "high"},
	"action.proceed":       {"このまま進めて問題ありません", "You can go ahead"},
	"action.review":        {"輸出管理担当の確認が必要です", "Export control must check this first"},
	"action.block":         {"取引を止めてください", "Stop this deal"},
	"action.short.proceed": {"進めてよい", "proceed"},
	"action.short.review":  {"要確認", "review"},
	"action.short.block":   {"停止", "block"},
	"actionhint.proceed":   {"注意すべき点は見つからないか、小さなものだけでした。", "Nothing, or only minor signs, were found."},
	"actionhint.review":    {"気になる点が見つかりました。担当の確認が済むまで、見積や出荷の約束をしないでください。", "Warning signs were found. Make no quote or promise until export control has checked."},
	"actionhint.block":     {"重大な注意点が見つかりました。見積・出荷・技術情報の提供を止めてください。", "Serious signs were found. Stop quotes, shipments and any technical information."},
	"next.proceed.1":       {"通常どおり見積や受注の手続きを進めてください。", "Go on with the quote or order as usual."},
	"next.proceed.2":       {"相手・数量・用途が変わったら、もう一度チェックしてください。", "Check again if the parties, quantities or use change."},
	"next.review.1":        {"輸出管理担当に確認を依頼してください。このページのアドレスを伝えれば内容が共有されます。", "Ask export control to check; sending this page's address shares everything."},
	"next.review.2":        {"確認が済むまで、見積の提出や納期の約束をしないでください。", "Do not send a quote or promise a delivery date until then."},
	"next.review.3":        {"相手から追加の説明（用途、最終需要者、支払者）をもらえる場合は、記録しておいてください。", "If the customer can explain more (use, end user, payer), write it down."},
	"next.block.1":         {"見積・出荷・技術資料の送付を止めてください。", "Stop quotes, shipments and sending technical documents."},
	"next.block.2":         {"すぐに輸出管理担当に連絡してください。", "Contact export control now."},
	"next.block.3":         {"相手には判断の理由を伝えず、「社内で確認中」とだけ答えてください。", "Tell the customer only that it is under internal review, not why."},
	"next.cleared.1":       {"輸出管理担当の確認が済みました。通常どおり手続きを進めてください。", "Export control has checked it: go on as usual."},
	"next.cleared.2":       {"相手・数量・用途が変わったら、もう一度チェックしてください。", "Check again if the parties, quantities or use change."},
	"next.rejected.1":      {"この取引は進めないでください。", "Do not go on with this deal."},
	"next.rejected.2":      {"相手への伝え方は輸出管理担当と相談してください。", "Agree with export control on what to tell the customer."},
	"next.degraded":        {"一部の確認ができなかったため、念のため担当の確認が必要です。", "Some checks could not run, so export control must look at it."},
	"case.sales.open":      {"輸出管理担当の確認待ちです。", "Waiting for export control."},
	"case.sales.pending":   {"1人目の確認が済み、2人目の確認を待っています。", "One reviewer cleared it; waiting for a second."},
	"case.sales.escalated": {"上位の担当者が確認しています。", "A senior reviewer is looking at it."},
	"case.sales.cleared":   {"確認済み：輸出管理担当が、取引を進めてよいと判断しました。", "Cleared: export control decided you may go ahead."},
	"case.sales.rejected":  {"確認済み：輸出管理担当が、取引を止めると判断しました。", "Rejected: export control decided to stop this deal."},

	// flags
	"flag.duplicate_inquiry":    {"同一製品について同時期に複数の引き合い", "Several inquiries for the same product at the same time"},
	"flag.spec_use_mismatch":    {"用途と製品スペックの不釣り合い", "The declared use does not fit the product"},
	"flag.no_website":           {"引き合い元企業のWEBサイトが存在しない", "The company has no website that shows it"},
	"flag.shared_contact":       {"異なる企業の連絡先が同一", "Different companies share contact details"},
	"flag.end_user_change":      {"突然の最終需要者変更", "The end user changed during the deal"},
	"flag.payer_mismatch":       {"受注先と支払い元の不一致", "The payer is not the customer"},
	"flag.denied_party":         {"外国ユーザーリスト等への掲載", "Listed on a denied-party list"},
	"meaning.duplicate_inquiry": {"同じ製品の引き合いが同じ時期に別の会社からも来ています。調達先を分散して規制をすり抜けようとしている可能性があります。", "Other companies asked for the same product at the same time: a buyer may be spreading orders to avoid controls."},
	"meaning.spec_use_mismatch": {"説明された用途に対して、製品の性能が高すぎるか、数量が多すぎます。本当の用途を隠している可能性があります。", "The product is far more capable, or the quantity far larger, than the declared use needs: the real use may be hidden."},
	"meaning.no_website":        {"実在する会社かどうかをウェブで確認できませんでした。ダミー会社の可能性があります。", "The company could not be confirmed on the web: it may be a front company."},
	"meaning.shared_contact":    {"別の会社と同じ連絡先が使われています。ダミー会社や、本当の買い手を隠している可能性があります。", "Another company gave the same contact details: a front company or a hidden buyer is possible."},
	"meaning.end_user_change":   {"案件の途中で最終需要者が変わりました。本当の使用者を隠している可能性があります。", "The end user changed during the deal: the real user may be hidden."},
	"meaning.payer_mismatch":    {"注文者と違う会社が代金を払います。取引の実態を隠している可能性があります。", "Someone other than the customer pays: the real deal may be hidden."},
	"meaning.denied_party":      {"相手の名前が、輸出に注意が必要な相手のリスト（外国ユーザーリストや米国の制裁リストなど）に載っている名前と一致、または似ています。", "A party's name matches or resembles a name on a denied-party list (METI End User List, US sanctions lists, ...)."},
	"meaning.other":             {"輸出管理上の注意点です。", "A warning sign for export control."},
	"todo.duplicate_inquiry":    {"他社からも同じ引き合いがあることを輸出管理担当に伝えてください。", "Tell export control that others asked for the same product."},
	"todo.spec_use_mismatch":    {"相手に具体的な用途と使用場所を確認し、輸出管理担当に伝えてください。", "Ask the customer for the concrete use and where it will be used, and tell export control."},
	"todo.no_website":           {"相手の会社案内や登記情報を取り寄せてください。", "Ask the customer for a company profile or registration papers."},
	"todo.shared_contact":       {"相手と、同じ連絡先を使う会社との関係を確認してください。", "Find out how the customer is linked to the other company."},
	"todo.end_user_change":      {"最終需要者が変わった理由を相手に確認してください。", "Ask the customer why the end user changed."},
	"todo.payer_mismatch":       {"支払者と注文者の関係（親会社など）を確認してください。", "Find out how the payer is linked to the customer (parent company, ...)."},
	"todo.denied_party":         {"取引を進めず、輸出管理担当の判断を待ってください。", "Do not go on; wait for export control's decision."},
	"todo.other":                {"輸出管理担当に相談してください。", "Talk to export control."},
	"role.party.customer":       {"注文者", "Customer"},
	"role.party.end_user":       {"最終需要者", "End user"},
	"role.party.payer":          {"支払者", "Payer"},
	"role.party.consignee":      {"荷受人", "Consignee"},
	"role.party.intermediary":   {"仲介者", "Intermediary"},

	// evidence labels
	"ev.yes":                    {"はい", "yes"},
	"ev.no":                     {"いいえ", "no"},
	"ev.party_name":             {"相手の名前", "Party's name"},
	"ev.matched_name":           {"一致したリスト上の名前", "Matched list name"},
	"ev.primary_name":           {"リスト上の正式名", "Primary list name"},
	"ev.score":                  {"一致度", "Score"},
	"ev.list_name":              {"リスト", "List"},
	"ev.list":                   {"リストのコード", "List code"},
	"ev.rule":                   {"該当したルール", "Rule"},
	"ev.rule_id":                {"ルール番号", "Rule id"},
	"ev.declared_use":           {"説明された用途", "Declared use"},
	"ev.matched_keywords":       {"用途の中の語", "Words in the declared use"},
	"ev.citations":              {"根拠となる規制", "Control texts"},
	"ev.items":                  {"該当した品目", "Items"},
	"ev.explanation":            {"一致の説明", "Why it matched"},
	"ev.entry_key":              {"リスト項目", "List entry"},
	"ev.strong":                 {"強い一致", "Strong match"},
	"ev.weak_alias":             {"弱い別名", "Weak alias"},
	"ev.points_with":            {"点数は次の一致に計上済み", "Points counted with"},
	"ev.matched_name_from":      {"リストの表記（この中の括弧から読んだ名前）", "As the list writes it (the name was read from its brackets)"},
	"ev.party":                  {"当事者", "Party"},
	"ev.party_country":          {"相手の国", "Party's country"},
	"ev.name":                   {"会社名", "Name"},
	"ev.shared":                 {"共通の連絡先", "Shared details"},
	"ev.companies":              {"同じ連絡先を使った会社", "Companies that gave it"},
	"ev.kind":                   {"種類", "Kind"},
	"ev.value":                  {"値", "Value"},
	"ev.reason":                 {"理由", "Reason"},
	"ev.product":                {"品番", "Product"},
	"ev.quantity":               {"数量", "Quantity"},
	"ev.specs":                  {"仕様", "Specs"},
	"ev.window_days":            {"対象期間（日）", "Window (days)"},
	"ev.entry_countries":        {"リスト上の国", "Listed countries"},
	"ev.programs":               {"制裁プログラム", "Programmes"},
	"ev.source_url":             {"リストの出典", "Source"},
	"ev.suppression":            {"誤検知の登録", "False-hit record"},
	"ev.suppression_expired":    {"誤検知の登録（リスト変更により失効）", "False-hit record (expired: the entry changed)"},
	"ev.country":                {"国", "Country"},
	"ev.country_adjustment":     {"国による補正", "Country adjustment"},
	"ev.entry_attributes":       {"リスト上の属性", "Entry attributes"},
	"ev.entry_hash":             {"リスト項目の内容ハッシュ", "Entry content hash"},
	"ev.entry_kind":             {"リスト上の種別", "Entry kind"},
	"ev.list_version":           {"リストの版", "List version"},
	"ev.pairs":                  {"語ごとの対応", "Word pairs"},
	"ev.source_id":              {"リスト上の番号", "Source id"},
	"ev.customer":               {"注文者", "Customer"},
	"ev.matched_on":             {"一致した項目", "Matched on"},
	"ev.received_at":            {"受付日時", "Received"},
	"ev.same_requester":         {"同じ依頼者", "Same requester"},
	"ev.screening_id":           {"チェックID", "Screening id"},
	"ev.inquiries_this_company": {"この会社からの引き合い数", "Inquiries by this company"},
	"ev.other_inquiries":        {"他の引き合い", "Other inquiries"},
	"ev.other_inquiries_total":  {"他の引き合いの数", "Other inquiries in all"},
	"ev.products":               {"製品", "Products"},
	"ev.reasons":                {"理由", "Reasons"},
	"ev.requesters":             {"依頼者の数", "Requesters"},
	"ev.control_entry":          {"該非判定の項番", "Control entry"},
	"ev.description":            {"品名・説明", "Description"},
	"ev.from_catalogue":         {"製品カタログから補完", "Filled from the catalogue"},
	"ev.hs_code":                {"HS コード", "HS code"},
	"ev.selected_by":            {"対象とした根拠", "Selected by"},
	"ev.index":                  {"品目の行（0から）", "Item row (from 0)"},
	"ev.customer_name":          {"注文者名", "Customer name"},
	"ev.payer_name":             {"支払者名", "Payer name"},
	"ev.similarity":             {"類似度", "Similarity"},
	"ev.deal":                   {"案件番号", "Deal"},
	"ev.previous":               {"以前の内容", "Before"},
	"ev.current":                {"今回の内容", "Now"},
	"ev.website":                {"ウェブサイト", "Website"},
	"ev.url":                    {"URL", "URL"},
	"ev.status":                 {"状態", "Status"},
	"ev.all":                    {"すべての根拠", "All evidence"},

	// lists of screenings
	"screenings.title":   {"チェック履歴", "Checked inquiries"},
	"screenings.own":     {"あなたがチェックした引き合いです。新しい順。", "The inquiries you checked, newest first."},
	"screenings.all":     {"すべての引き合いです。新しい順。", "Every checked inquiry, newest first."},
	"screenings.caption": {"チェックした引き合い", "Checked inquiries"},
	"screenings.none":    {"まだチェックした引き合いはありません。", "No inquiries checked yet."},
	"col.customer":       {"注文者", "Customer"},
	"col.when":           {"日時", "When"},
	"col.level":          {"リスク", "Risk"},
	"col.action":         {"判定", "Verdict"},
	"col.status":         {"状況", "Status"},
	"col.flags":          {"注意点", "Warning signs"},
	"col.age":            {"経過", "Waiting"},
	"col.kind":           {"種類", "Kind"},
	"col.value":          {"内容", "Value"},
	"col.times":          {"回数", "Times"},
	"col.last":           {"最後に使われた日時", "Last given"},
	"col.company":        {"会社", "Company"},
	"col.shared":         {"共通の連絡先", "Shared details"},
	"col.seen":           {"見つかった引き合い", "Found in"},
	"status.waiting":     {"未決のもの", "Undecided"},
	"status.open":        {"確認待ち", "open"},
	"status.escalated":   {"上位確認中", "escalated"},
	"status.cleared":     {"進めてよい（確認済み）", "cleared"},
	"status.rejected":    {"取引停止（確認済み）", "rejected"},
	"status.all":         {"すべて", "all"},
	"status.pending":     {"2人目の確認待ち", "waiting for a second reviewer"},
	"filter.any":         {"すべて", "any"},

	// search
	"search.title":          {"会社を探す", "Find a company"},
	"search.lead":           {"過去の取引先と、注意が必要な相手のリストから会社名を探します。", "Search known companies and the denied-party lists by name."},
	"search.label":          {"会社名", "Company name"},
	"search.submit":         {"探す", "Search"},
	"search.counterparties": {"過去の取引先", "Known companies"},
	"search.lists":          {"リストに載っている名前", "Names on denied-party lists"},
	"search.lists.hint":     {"名前の文字が含まれる順に並べています。同じ会社かどうかの判断は、引き合いのチェックで行います。", "Ranked by the typed letters; whether it is the same company is what the inquiry check decides."},
	"search.none":           {"見つかりませんでした。", "Nothing found."},
	"search.open":           {"「%s」の取引先ページを開く", "Open the page of “%s”"},

	// counterparty
	"cp.title":              {"取引先", "Company"},
	"cp.ownonly":            {"あなたがチェックした引き合いだけを表示しています。", "Only the inquiries you checked are shown."},
	"cp.screenings":         {"この会社のチェック（%d 件）", "Checks of this company (%d)"},
	"cp.screenings.caption": {"この会社が注文者だったチェック", "Checks where this company was the customer"},
	"cp.noscreenings":       {"この会社が注文者のチェックはありません。", "No checks with this company as the customer."},
	"cp.contacts":           {"この会社の連絡先", "Contact details given"},
	"cp.nocontacts":         {"連絡先の記録はありません。", "No contact details recorded."},
	"cp.shared":             {"連絡先が共通の会社", "Companies sharing contact details"},
	"cp.shared.hint":        {"メールアドレス・電話番号・住所などが同じだった別の会社です。", "Other companies that gave the same e-mail, phone, address or mail domain."},
	"cp.shared.caption":     {"連絡先が共通の会社の一覧", "Companies sharing contact details"},
	"cp.noshared":           {"連絡先が共通の会社は見つかっていません。", "No company shares its contact details."},
	"cp.suppressions":       {"誤検知として登録されたリスト項目", "List entries marked as false hits"},
	"graph.label":           {"%s と連絡先が共通の会社 %d 社の図", "Diagram: %s and the %d companies sharing its contact details"},
	"graph.more":            {"ほか %d 社は下の表を見てください。", "%d more in the table below."},
	"contact.email":         {"メールアドレス", "E-mail"},
	"contact.domain":        {"メールのドメイン", "Mail domain"},
	"contact.phone":         {"電話番号", "Phone"},
	"contact.fax":           {"FAX番号", "Fax"},
	"contact.address":       {"住所", "Address"},
	"contact.website":       {"ウェブサイト", "Website"},

	// reviewer queue and case
	"cases.title":          {"審査キュー", "Review queue"},
	"cases.lead":           {"確認が必要な引き合いです。リスクの高い順、同じリスクでは古い順に並んでいます。", "Inquiries that need a decision: highest risk first, then oldest first."},
	"cases.filters":        {"絞り込み", "Filters"},
	"cases.apply":          {"絞り込む", "Apply"},
	"cases.caption":        {"審査ケース（%d 件）", "Cases (%d)"},
	"cases.none":           {"条件に合うケースはありません。", "No cases match."},
	"cases.truncated":      {"件数が多いため一部だけを表示しています。条件で絞り込んでください。", "Only part of the list is shown; narrow it with the filters."},
	"case.title":           {"審査: %s", "Case: %s"},
	"case.heading":         {"審査ケース", "Case"},
	"case.opened":          {"受付", "Opened"},
	"case.screening":       {"チェック結果", "Screening"},
	"case.counterparty":    {"取引先ページ", "Company page"},
	"case.party":           {"引き合いの相手", "The party in the inquiry"},
	"case.match":           {"一致の根拠", "Why it matched"},
	"case.evidence":        {"根拠", "Evidence"},
	"case.entry":           {"リストの掲載内容", "The list entry"},
	"case.entry.missing":   {"この項目は現在のリストにありません（リストが更新された可能性があります）。", "This entry is not in the loaded lists any more (the list may have changed)."},
	"case.entry.list":      {"リスト", "List"},
	"case.entry.kind":      {"種別", "Kind"},
	"case.entry.names":     {"名前と別名", "Names and aliases"},
	"case.entry.matched":   {"一致した名前", "matched"},
	"case.entry.from":      {"括弧内から読んだ名前。リストの表記:", "read from the brackets of"},
	"case.entry.ids":       {"識別番号", "Identifiers"},
	"case.entry.programs":  {"制裁プログラム・懸念区分", "Programmes"},
	"case.entry.listed":    {"掲載日", "Listed on"},
	"case.entry.remarks":   {"備考", "Remarks"},
	"case.entry.source":    {"出典", "Source"},
	"case.suppress.reason": {"誤検知と判断した理由", "Why this is a different party"},
	"case.suppress.hint":   {"登録すると、リストのこの項目が変わらない限り、この会社では点数に数えません。", "Until the list entry changes, this hit no longer counts for this company."},
	"case.suppress.submit": {"誤検知として登録する", "Mark as a false hit"},
	"case.decide":          {"判断", "Decision"},
	"case.decided":         {"このケースは判断済みです。", "This case has been decided."},
	"case.reason":          {"判断の理由", "Reason"},
	"case.reason.hint":     {"監査記録に残ります。確認した資料や相手の説明を具体的に書いてください。", "It goes into the audit trail. Name what you checked and what the customer explained."},
	"case.clear":           {"問題なし（取引を進めてよい）", "Clear (go ahead)"},
	"case.reject":          {"取引を止める", "Reject (stop the deal)"},
	"case.escalate":        {"上位者に回す", "Escalate"},
	"case.pending":         {"2人目の確認待ち", "waiting for a second reviewer"},
	"case.pendingby":       {"%s が「問題なし」と判断済みです。2人目の審査担当（または管理者）の判断が必要です。", "%s cleared it; a second reviewer (or an admin) must clear it too."},
	"case.foureyes":        {"「取引を止めてください」の判定を解除するには、2人の審査担当（または管理者1人）の判断が必要です。", "Clearing a “stop” verdict needs two reviewers (or one admin)."},
	"decision.clear":       {"問題なし", "Cleared"},
	"decision.reject":      {"取引停止", "Rejected"},
	"decision.escalate":    {"上位者へ", "Escalated"},
	"flash.clear":          {"「問題なし」を記録しました。", "Recorded: cleared."},
	"flash.reject":         {"「取引停止」を記録しました。", "Recorded: rejected."},
	"flash.escalate":       {"上位者に回しました。", "Recorded: escalated."},
	"flash.pending":        {"「問題なし」を記録しました。2人目の確認を待っています。", "Recorded your clearance; a second reviewer must clear it too."},
	"flash.suppressed":     {"誤検知として登録しました。", "Marked as a false hit."},
	"reason.required":      {"理由を入力してください。", "Enter a reason."},
	"reason.long":          {"理由は %d 文字以内で入力してください。", "At most %d characters."},
	"kind.person":          {"個人", "person"},
	"kind.organisation":    {"団体・企業", "organisation"},
	"kind.vessel":          {"船舶", "vessel"},
	"kind.aircraft":        {"航空機", "aircraft"},
	"kind.unknown":         {"不明", "unknown"},
	"strength.primary":     {"正式名", "primary"},
	"strength.strong":      {"別名", "alias"},
	"strength.weak":        {"弱い別名", "weak alias"},
	"age.minutes":          {"%d 分", "%d min"},
	"age.hours":            {"%d 時間", "%d h"},
	"age.days":             {"%d 日", "%d days"},

	// inquiry summary
	"inquiry.heading": {"引き合いの内容", "The inquiry"},
	"inquiry.parties": {"当事者", "Parties"},
	"inquiry.items":   {"品目", "Items"},
	"inquiry.role":    {"立場", "Role"},
	"inquiry.contact": {"住所・連絡先", "Address and contacts"},
	"inquiry.specs":   {"仕様", "Specifications"},
}
