package names

import (
	"strings"
	"unicode/utf8"
)

// hanWords are Han-character words of company names with their Japanese
// reading (modified Hepburn), a pinyin reading where the per-character table
// would be wrong, an English gloss, the class and where the word is used:
// j = Japanese (its presence makes a name Japanese), z = Chinese, b = both.
// A "-" leaves a field empty. The segmenter cuts these words out of a Han
// run by longest match; the rest of the run stays one name token.
//
// The glosses let a Japanese or Chinese name meet its English translation on
// the lists (朝鮮 ~ Korea, 海運 ~ shipping, 銀行 ~ bank); they are
// alternative forms, never the primary reading, so Key stays the reading.
const hanWords = `
株式会社 kabushikikaisha - - l j
有限会社 yugengaisha - - l j
合同会社 godogaisha - - l j
合資会社 goshigaisha - - l j
合名会社 gomeigaisha - - l j
一般社団法人 ippanshadanhojin - - l j
社団法人 shadanhojin - - l j
財団法人 zaidanhojin - - l j
一般財団法人 ippanzaidanhojin - - l j
公益財団法人 koekizaidanhojin - - l j
独立行政法人 dokuritsugyoseihojin - - l j
(株) kabushikikaisha - - l j
(有) yugengaisha - - l j
(合) godogaisha - - l j
(資) goshigaisha - - l j
(名) gomeigaisha - - l j
(同) godogaisha - - l j
有限公司 - youxiangongsi - l z
股份有限公司 - gufenyouxiangongsi - l z
有限责任公司 - youxianzerengongsi - l z
有限責任公司 - youxianzerengongsi - l z
股份公司 - gufengongsi - l z
公司 - gongsi - l z
商事 shoji - trading g j
貿易 boeki maoyi trading g b
贸易 - maoyi trading g z
工業 kogyo gongye industrial g b
工业 - gongye industrial g z
重工業 jukogyo zhonggongye heavyindustries g b
重工业 - zhonggongye heavyindustries g z
重工 juko zhonggong heavyindustries g b
産業 sangyo - industry g j
产业 - chanye industry g z
物産 bussan - products g j
通商 tsusho - trading g j
商会 shokai shanghui trading g b
実業 jitsugyo - industries g j
实业 - shiye industries g z
實業 jitsugyo shiye industries g b
興業 kogyo - industries g j
电机 - dianji electric g z
電機 denki dianji electric g b
電気 denki - electric g j
电气 - dianqi electric g z
電子 denshi dianzi electronics g b
电子 - dianzi electronics g z
電工 denko diangong electric g b
機械 kikai jixie machinery g b
机械 - jixie machinery g z
精機 seiki - precision g j
精密 seimitsu jingmi precision g b
製作所 seisakusho - works g j
製造 seizo - manufacturing g j
制造 - zhizao manufacturing g z
製鉄 seitetsu - steel g j
鉄鋼 tekko - steel g j
钢铁 - gangtie steel g z
化学 kagaku huaxue chemical g b
化学工业 - huaxuegongye chemicalindustry g z
化成 kasei - chemical g j
研究所 kenkyusho yanjiusuo institute g b
研究院 kenkyuin yanjiuyuan institute g b
研究 kenkyu yanjiu research g b
技研 giken - research g j
技術 gijutsu jishu technology g b
技术 - jishu technology g z
科技 - keji technology g z
开发 - kaifa development g z
開発 kaihatsu - development g j
發展 - fazhan development g z
发展 - fazhan development g z
国際 kokusai - international g j
国际 - guoji international g z
國際 - guoji international g z
海運 kaiun haiyun shipping g b
海运 - haiyun shipping g z
航運 koun hangyun shipping g b
航运 - hangyun shipping g z
汽船 kisen - steamship g j
船舶 senpaku chuanbo shipping g b
造船 zosen zaochuan shipbuilding g b
銀行 ginko yinhang bank g b
银行 - yinhang bank g z
証券 shoken - securities g j
证券 - zhengquan securities g z
保険 hoken - insurance g j
保险 - baoxian insurance g z
信託 shintaku xintuo trust g b
建設 kensetsu jianshe construction g b
建设 - jianshe construction g z
運輸 unyu yunshu transport g b
运输 - yunshu transport g z
物流 butsuryu wuliu logistics g b
石油 sekiyu shiyou oil n b
石油化工 - shiyouhuagong petrochemical n z
自動車 jidosha - motor n j
汽车 - qiche motor n z
航空 koku hangkong aviation n b
航天 - hangtian aerospace n z
光学 kogaku guangxue optical n b
総合 sogo - general g j
综合 - zonghe general g z
集团 - jituan group g z
集團 - jituan group g z
控股 - konggu holdings g z
进出口 - jinchukou importexport g z
進出口 - jinchukou importexport g z
投资 - touzi investment g z
投資 toshi touzi investment g b
商社 shosha - trading g j
商店 shoten shangdian store g b
工場 kojo - factory g j
工厂 - gongchang factory g z
電力 denryoku dianli power n b
电力 - dianli power n z
能源 - nengyuan energy g z
材料 zairyo cailiao materials g b
設備 setsubi shebei equipment g b
设备 - shebei equipment g z
共和国 kyowakoku gongheguo republic n b
共和國 kyowakoku gongheguo republic n b
人民 jinmin renmin people n b
民主主義 minshushugi minzhuzhuyi democratic n b
民主主义 - minzhuzhuyi democratic n z
朝鮮 chosen chaoxian korea n b
朝鲜 - chaoxian korea n z
中国 chugoku zhongguo china n b
中國 chugoku zhongguo china n b
日本 nihon riben japan n b
伊朗 - yilang iran n z
俄罗斯 - eluosi russia n z
香港 honkon xianggang hongkong n b
澳门 - aomen macau n z
台湾 taiwan taiwan taiwan n b
北京 pekin beijing beijing n b
上海 shanhai shanghai shanghai n b
天津 tenshin tianjin tianjin n b
重庆 - chongqing chongqing n z
重慶 jukei chongqing chongqing n b
广州 - guangzhou guangzhou n z
深圳 shinsen shenzhen shenzhen n b
深圳市 - shenzhen shenzhen n z
北京市 - beijing beijing n z
上海市 - shanghai shanghai n z
广州市 - guangzhou guangzhou n z
天津市 - tianjin tianjin n z
重庆市 - chongqing chongqing n z
大连市 - dalian dalian n z
青岛市 - qingdao qingdao n z
厦门市 - xiamen xiamen n z
西安市 - xian xian n z
大连 - dalian dalian n z
大連 dairen dalian dalian n b
青岛 - qingdao qingdao n z
厦门 - xiamen xiamen n z
西安 seian xian xian n b
哈尔滨 - haerbin harbin n z
东京 - dongjing tokyo n z
東京 tokyo dongjing tokyo n b
大阪 osaka - osaka n j
名古屋 nagoya - nagoya n j
横浜 yokohama - yokohama n j
神戸 kobe - kobe n j
京都 kyoto - kyoto n b
三菱 mitsubishi - mitsubishi n j
三井 mitsui - mitsui n j
住友 sumitomo - sumitomo n j
日立 hitachi - hitachi n j
東芝 toshiba - toshiba n j
丸紅 marubeni - marubeni n j
伊藤忠 itochu - itochu n j
豊田 toyota - toyota n j
日産 nissan - nissan n j
松下 matsushita - matsushita n j
富士 fuji - fuji n j
佐藤 sato - - n j
鈴木 suzuki - - n j
高橋 takahashi - - n j
田中 tanaka - - n j
渡辺 watanabe - - n j
伊藤 ito - - n j
山本 yamamoto - - n j
中村 nakamura - - n j
小林 kobayashi - - n j
加藤 kato - - n j
吉田 yoshida - - n j
山田 yamada - - n j
佐々木 sasaki - - n j
山口 yamaguchi - - n j
松本 matsumoto - - n j
井上 inoue - - n j
木村 kimura - - n j
清水 shimizu - - n j
山崎 yamazaki - - n j
池田 ikeda - - n j
橋本 hashimoto - - n j
石川 ishikawa - - n j
前田 maeda - - n j
藤田 fujita - - n j
岡田 okada - - n j
後藤 goto - - n j
長谷川 hasegawa - - n j
村上 murakami - - n j
近藤 kondo - - n j
坂本 sakamoto - - n j
遠藤 endo - - n j
青木 aoki - - n j
西村 nishimura - - n j
福田 fukuda - - n j
太田 ota - - n j
藤原 fujiwara - - n j
岡本 okamoto - - n j
中川 nakagawa - - n j
原田 harada - - n j
小野 ono - - n j
`

// hanWord is one entry of hanWords.
type hanWord struct {
	han   string
	ja    string // Japanese reading
	zh    string // pinyin, when the per-character reading is wrong or missing
	gloss string // English gloss
	class Class
	lang  byte // 'j', 'z' or 'b'
}

var hanDict, hanMaxLen = func() (map[string]hanWord, int) {
	m := make(map[string]hanWord, 256)
	maxLen := 0
	dash := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	for _, line := range strings.Split(hanWords, "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			continue
		}
		w := hanWord{han: f[0], ja: dash(f[1]), zh: dash(f[2]), gloss: dash(f[3]), lang: f[5][0]}
		switch f[4] {
		case "g":
			w.class = ClassGeneric
		case "l":
			w.class = ClassLegal
		default:
			w.class = ClassName
		}
		m[w.han] = w
		if n := utf8.RuneCountInString(w.han); n > maxLen {
			maxLen = n
		}
	}
	return m, maxLen
}()

// hanSegment is one piece of a Han run: a dictionary word or a stretch of
// characters the dictionary does not know.
type hanSegment struct {
	text string
	word *hanWord // nil for an unknown stretch
}

// segmentHan cuts a Han run by longest match against hanDict, left to right.
func segmentHan(s string) []hanSegment {
	rs := []rune(s)
	var out []hanSegment
	start := 0 // start of the pending unknown stretch
	flush := func(end int) {
		if end > start {
			out = append(out, hanSegment{text: string(rs[start:end])})
		}
	}
	for i := 0; i < len(rs); {
		found := 0
		for n := min(hanMaxLen, len(rs)-i); n >= 2; n-- {
			if _, ok := hanDict[string(rs[i:i+n])]; ok {
				found = n
				break
			}
		}
		if found == 0 {
			i++
			continue
		}
		flush(i)
		w := hanDict[string(rs[i:i+found])]
		out = append(out, hanSegment{text: w.han, word: &w})
		i += found
		start = i
	}
	flush(len(rs))
	return out
}
