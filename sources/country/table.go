package country

// table lists ISO 3166-1 countries and territories as
// "alpha-2|alpha-3|English names|Japanese names", names separated by ";".
// English names cover the ISO short name plus the spellings that the UN, OFAC,
// UK and EU lists use; Japanese names follow the short and formal names used by
// METI and MOF (外務省 style). "X, Y of" names are also indexed as "Y of X"
// automatically, so "Korea, Republic of" finds "Republic of Korea".
// XK (Kosovo) is not assigned by ISO but is the user-assigned code that the
// EU, UK and US lists use.
const table = `
AD|AND|Andorra;Principality of Andorra|アンドラ;アンドラ公国
AE|ARE|United Arab Emirates;UAE;U.A.E.|アラブ首長国連邦;UAE
AF|AFG|Afghanistan;Islamic Republic of Afghanistan;Islamic Emirate of Afghanistan|アフガニスタン;アフガニスタン・イスラム共和国
AG|ATG|Antigua and Barbuda|アンティグア・バーブーダ
AI|AIA|Anguilla|アンギラ
AL|ALB|Albania;Republic of Albania|アルバニア;アルバニア共和国
AM|ARM|Armenia;Republic of Armenia|アルメニア;アルメニア共和国
AO|AGO|Angola;Republic of Angola|アンゴラ;アンゴラ共和国
AQ|ATA|Antarctica|南極
AR|ARG|Argentina;Argentine Republic|アルゼンチン;アルゼンチン共和国
AS|ASM|American Samoa|米領サモア
AT|AUT|Austria;Republic of Austria|オーストリア;オーストリア共和国
AU|AUS|Australia;Commonwealth of Australia|オーストラリア;豪州
AW|ABW|Aruba|アルバ
AX|ALA|Aland Islands;Åland Islands|オーランド諸島
AZ|AZE|Azerbaijan;Republic of Azerbaijan|アゼルバイジャン;アゼルバイジャン共和国
BA|BIH|Bosnia and Herzegovina;Bosnia-Herzegovina|ボスニア・ヘルツェゴビナ
BB|BRB|Barbados|バルバドス
BD|BGD|Bangladesh;People's Republic of Bangladesh|バングラデシュ;バングラデシュ人民共和国
BE|BEL|Belgium;Kingdom of Belgium|ベルギー;ベルギー王国
BF|BFA|Burkina Faso|ブルキナファソ
BG|BGR|Bulgaria;Republic of Bulgaria|ブルガリア;ブルガリア共和国
BH|BHR|Bahrain;Kingdom of Bahrain|バーレーン;バーレーン王国
BI|BDI|Burundi;Republic of Burundi|ブルンジ;ブルンジ共和国
BJ|BEN|Benin;Republic of Benin|ベナン;ベナン共和国
BL|BLM|Saint Barthelemy;Saint Barthélemy|サン・バルテルミー
BM|BMU|Bermuda|バミューダ
BN|BRN|Brunei;Brunei Darussalam|ブルネイ;ブルネイ・ダルサラーム国
BO|BOL|Bolivia;Plurinational State of Bolivia;Bolivia, Plurinational State of|ボリビア;ボリビア多民族国
BQ|BES|Bonaire, Sint Eustatius and Saba|ボネール、シント・ユースタティウス及びサバ
BR|BRA|Brazil;Federative Republic of Brazil|ブラジル;ブラジル連邦共和国
BS|BHS|Bahamas;Commonwealth of the Bahamas;The Bahamas|バハマ;バハマ国
BT|BTN|Bhutan;Kingdom of Bhutan|ブータン;ブータン王国
BV|BVT|Bouvet Island|ブーベ島
BW|BWA|Botswana;Republic of Botswana|ボツワナ;ボツワナ共和国
BY|BLR|Belarus;Republic of Belarus;Byelorussia|ベラルーシ;ベラルーシ共和国
BZ|BLZ|Belize|ベリーズ
CA|CAN|Canada|カナダ
CC|CCK|Cocos (Keeling) Islands;Cocos Islands|ココス諸島
CD|COD|Democratic Republic of the Congo;Congo, The Democratic Republic of the;Congo, Democratic Republic of the;DR Congo;DRC;Zaire|コンゴ民主共和国;旧ザイール
CF|CAF|Central African Republic|中央アフリカ;中央アフリカ共和国
CG|COG|Congo;Republic of the Congo;Congo, Republic of the;Congo-Brazzaville|コンゴ;コンゴ共和国
CH|CHE|Switzerland;Swiss Confederation|スイス;スイス連邦
CI|CIV|Cote d'Ivoire;Côte d'Ivoire;Cote d Ivoire;Ivory Coast;Republic of Côte d'Ivoire|コートジボワール;コートジボワール共和国
CK|COK|Cook Islands|クック諸島
CL|CHL|Chile;Republic of Chile|チリ;チリ共和国
CM|CMR|Cameroon;Republic of Cameroon|カメルーン;カメルーン共和国
CN|CHN|China;People's Republic of China;PRC;P.R.C.;China, People's Republic of|中国;中華人民共和国
CO|COL|Colombia;Republic of Colombia|コロンビア;コロンビア共和国
CR|CRI|Costa Rica;Republic of Costa Rica|コスタリカ;コスタリカ共和国
CU|CUB|Cuba;Republic of Cuba|キューバ;キューバ共和国
CV|CPV|Cabo Verde;Cape Verde;Republic of Cabo Verde|カーボベルデ;カーボベルデ共和国
CW|CUW|Curacao;Curaçao|キュラソー
CX|CXR|Christmas Island|クリスマス島
CY|CYP|Cyprus;Republic of Cyprus|キプロス;キプロス共和国
CZ|CZE|Czechia;Czech Republic|チェコ;チェコ共和国
DE|DEU|Germany;Federal Republic of Germany|ドイツ;ドイツ連邦共和国
DJ|DJI|Djibouti;Republic of Djibouti|ジブチ;ジブチ共和国
DK|DNK|Denmark;Kingdom of Denmark|デンマーク;デンマーク王国
DM|DMA|Dominica;Commonwealth of Dominica|ドミニカ国
DO|DOM|Dominican Republic|ドミニカ共和国
DZ|DZA|Algeria;People's Democratic Republic of Algeria|アルジェリア;アルジェリア民主人民共和国
EC|ECU|Ecuador;Republic of Ecuador|エクアドル;エクアドル共和国
EE|EST|Estonia;Republic of Estonia|エストニア;エストニア共和国
EG|EGY|Egypt;Arab Republic of Egypt|エジプト;エジプト・アラブ共和国
EH|ESH|Western Sahara|西サハラ
ER|ERI|Eritrea;State of Eritrea|エリトリア;エリトリア国
ES|ESP|Spain;Kingdom of Spain|スペイン;スペイン王国
ET|ETH|Ethiopia;Federal Democratic Republic of Ethiopia|エチオピア;エチオピア連邦民主共和国
FI|FIN|Finland;Republic of Finland|フィンランド;フィンランド共和国
FJ|FJI|Fiji;Republic of Fiji|フィジー;フィジー共和国
FK|FLK|Falkland Islands;Falkland Islands (Malvinas)|フォークランド諸島
FM|FSM|Micronesia;Federated States of Micronesia;Micronesia, Federated States of|ミクロネシア;ミクロネシア連邦
FO|FRO|Faroe Islands|フェロー諸島
FR|FRA|France;French Republic|フランス;フランス共和国
GA|GAB|Gabon;Gabonese Republic|ガボン;ガボン共和国
GB|GBR|United Kingdom;United Kingdom of Great Britain and Northern Ireland;UK;U.K.;Great Britain;Britain;England;Scotland;Wales;Northern Ireland|英国;イギリス;グレートブリテン及び北アイルランド連合王国
GD|GRD|Grenada|グレナダ
GE|GEO|Georgia|ジョージア;グルジア
GF|GUF|French Guiana|仏領ギアナ
GG|GGY|Guernsey|ガーンジー
GH|GHA|Ghana;Republic of Ghana|ガーナ;ガーナ共和国
GI|GIB|Gibraltar|ジブラルタル
GL|GRL|Greenland|グリーンランド
GM|GMB|Gambia;The Gambia;Republic of the Gambia|ガンビア;ガンビア共和国
GN|GIN|Guinea;Republic of Guinea|ギニア;ギニア共和国
GP|GLP|Guadeloupe|グアドループ
GQ|GNQ|Equatorial Guinea;Republic of Equatorial Guinea|赤道ギニア;赤道ギニア共和国
GR|GRC|Greece;Hellenic Republic|ギリシャ;ギリシャ共和国
GS|SGS|South Georgia and the South Sandwich Islands|サウスジョージア・サウスサンドウィッチ諸島
GT|GTM|Guatemala;Republic of Guatemala|グアテマラ;グアテマラ共和国
GU|GUM|Guam|グアム
GW|GNB|Guinea-Bissau;Republic of Guinea-Bissau|ギニアビサウ;ギニアビサウ共和国
GY|GUY|Guyana;Republic of Guyana|ガイアナ;ガイアナ共和国
HK|HKG|Hong Kong;Hong Kong SAR;Hong Kong Special Administrative Region;China, Hong Kong Special Administrative Region;Hong Kong, China|香港;中国香港特別行政区;香港特別行政区
HM|HMD|Heard Island and McDonald Islands|ハード島・マクドナルド諸島
HN|HND|Honduras;Republic of Honduras|ホンジュラス;ホンジュラス共和国
HR|HRV|Croatia;Republic of Croatia|クロアチア;クロアチア共和国
HT|HTI|Haiti;Republic of Haiti|ハイチ;ハイチ共和国
HU|HUN|Hungary|ハンガリー
ID|IDN|Indonesia;Republic of Indonesia|インドネシア;インドネシア共和国
IE|IRL|Ireland;Republic of Ireland|アイルランド
IL|ISR|Israel;State of Israel|イスラエル;イスラエル国
IM|IMN|Isle of Man|マン島
IN|IND|India;Republic of India|インド;インド共和国
IO|IOT|British Indian Ocean Territory|英領インド洋地域
IQ|IRQ|Iraq;Republic of Iraq|イラク;イラク共和国
IR|IRN|Iran;Islamic Republic of Iran;Iran, Islamic Republic of|イラン;イラン・イスラム共和国
IS|ISL|Iceland;Republic of Iceland|アイスランド;アイスランド共和国
IT|ITA|Italy;Italian Republic|イタリア;イタリア共和国
JE|JEY|Jersey|ジャージー
JM|JAM|Jamaica|ジャマイカ
JO|JOR|Jordan;Hashemite Kingdom of Jordan|ヨルダン;ヨルダン・ハシェミット王国
JP|JPN|Japan|日本;日本国
KE|KEN|Kenya;Republic of Kenya|ケニア;ケニア共和国
KG|KGZ|Kyrgyzstan;Kyrgyz Republic|キルギス;キルギス共和国;キルギスタン
KH|KHM|Cambodia;Kingdom of Cambodia|カンボジア;カンボジア王国
KI|KIR|Kiribati;Republic of Kiribati|キリバス;キリバス共和国
KM|COM|Comoros;Union of the Comoros|コモロ;コモロ連合
KN|KNA|Saint Kitts and Nevis;St. Kitts and Nevis|セントクリストファー・ネービス
KP|PRK|North Korea;Democratic People's Republic of Korea;Korea, North;Korea, Democratic People's Republic of;DPRK;D.P.R.K.|北朝鮮;朝鮮民主主義人民共和国
KR|KOR|South Korea;Republic of Korea;Korea, South;Korea, Republic of|韓国;大韓民国
KW|KWT|Kuwait;State of Kuwait|クウェート;クウェート国
KY|CYM|Cayman Islands|ケイマン諸島
KZ|KAZ|Kazakhstan;Republic of Kazakhstan|カザフスタン;カザフスタン共和国
LA|LAO|Laos;Lao People's Democratic Republic|ラオス;ラオス人民民主共和国
LB|LBN|Lebanon;Lebanese Republic;Republic of Lebanon|レバノン;レバノン共和国
LC|LCA|Saint Lucia;St. Lucia|セントルシア
LI|LIE|Liechtenstein;Principality of Liechtenstein|リヒテンシュタイン;リヒテンシュタイン公国
LK|LKA|Sri Lanka;Democratic Socialist Republic of Sri Lanka|スリランカ;スリランカ民主社会主義共和国
LR|LBR|Liberia;Republic of Liberia|リベリア;リベリア共和国
LS|LSO|Lesotho;Kingdom of Lesotho|レソト;レソト王国
LT|LTU|Lithuania;Republic of Lithuania|リトアニア;リトアニア共和国
LU|LUX|Luxembourg;Grand Duchy of Luxembourg|ルクセンブルク;ルクセンブルク大公国
LV|LVA|Latvia;Republic of Latvia|ラトビア;ラトビア共和国
LY|LBY|Libya;State of Libya;Libyan Arab Jamahiriya|リビア
MA|MAR|Morocco;Kingdom of Morocco|モロッコ;モロッコ王国
MC|MCO|Monaco;Principality of Monaco|モナコ;モナコ公国
MD|MDA|Moldova;Republic of Moldova;Moldova, Republic of|モルドバ;モルドバ共和国
ME|MNE|Montenegro|モンテネグロ
MF|MAF|Saint Martin (French part);Saint Martin|サン・マルタン
MG|MDG|Madagascar;Republic of Madagascar|マダガスカル;マダガスカル共和国
MH|MHL|Marshall Islands;Republic of the Marshall Islands|マーシャル諸島;マーシャル諸島共和国
MK|MKD|North Macedonia;Republic of North Macedonia;Macedonia;The former Yugoslav Republic of Macedonia|北マケドニア;北マケドニア共和国;マケドニア
ML|MLI|Mali;Republic of Mali|マリ;マリ共和国
MM|MMR|Myanmar;Republic of the Union of Myanmar;Burma|ミャンマー;ミャンマー連邦共和国;ビルマ
MN|MNG|Mongolia|モンゴル;モンゴル国
MO|MAC|Macao;Macau;Macao Special Administrative Region;China, Macao Special Administrative Region|マカオ;中国マカオ特別行政区
MP|MNP|Northern Mariana Islands|北マリアナ諸島
MQ|MTQ|Martinique|マルティニーク
MR|MRT|Mauritania;Islamic Republic of Mauritania|モーリタニア;モーリタニア・イスラム共和国
MS|MSR|Montserrat|モントセラト
MT|MLT|Malta;Republic of Malta|マルタ;マルタ共和国
MU|MUS|Mauritius;Republic of Mauritius|モーリシャス;モーリシャス共和国
MV|MDV|Maldives;Republic of Maldives|モルディブ;モルディブ共和国
MW|MWI|Malawi;Republic of Malawi|マラウイ;マラウイ共和国
MX|MEX|Mexico;United Mexican States|メキシコ;メキシコ合衆国
MY|MYS|Malaysia|マレーシア
MZ|MOZ|Mozambique;Republic of Mozambique|モザンビーク;モザンビーク共和国
NA|NAM|Namibia;Republic of Namibia|ナミビア;ナミビア共和国
NC|NCL|New Caledonia|ニューカレドニア
NE|NER|Niger;Republic of the Niger|ニジェール;ニジェール共和国
NF|NFK|Norfolk Island|ノーフォーク島
NG|NGA|Nigeria;Federal Republic of Nigeria|ナイジェリア;ナイジェリア連邦共和国
NI|NIC|Nicaragua;Republic of Nicaragua|ニカラグア;ニカラグア共和国
NL|NLD|Netherlands;Kingdom of the Netherlands;The Netherlands;Holland|オランダ;オランダ王国
NO|NOR|Norway;Kingdom of Norway|ノルウェー;ノルウェー王国
NP|NPL|Nepal;Federal Democratic Republic of Nepal|ネパール;ネパール連邦民主共和国
NR|NRU|Nauru;Republic of Nauru|ナウル;ナウル共和国
NU|NIU|Niue|ニウエ
NZ|NZL|New Zealand|ニュージーランド
OM|OMN|Oman;Sultanate of Oman|オマーン;オマーン国
PA|PAN|Panama;Republic of Panama|パナマ;パナマ共和国
PE|PER|Peru;Republic of Peru|ペルー;ペルー共和国
PF|PYF|French Polynesia|仏領ポリネシア
PG|PNG|Papua New Guinea;Independent State of Papua New Guinea|パプアニューギニア;パプアニューギニア独立国
PH|PHL|Philippines;Republic of the Philippines|フィリピン;フィリピン共和国
PK|PAK|Pakistan;Islamic Republic of Pakistan|パキスタン;パキスタン・イスラム共和国
PL|POL|Poland;Republic of Poland|ポーランド;ポーランド共和国
PM|SPM|Saint Pierre and Miquelon|サンピエール島・ミクロン島
PN|PCN|Pitcairn;Pitcairn Islands|ピトケアン
PR|PRI|Puerto Rico|プエルトリコ
PS|PSE|Palestine;State of Palestine;Palestine, State of;Palestinian Territories;Palestinian;West Bank;Gaza;Gaza Strip;Occupied Palestinian Territory|パレスチナ;パレスチナ自治区;ガザ;ヨルダン川西岸
PT|PRT|Portugal;Portuguese Republic|ポルトガル;ポルトガル共和国
PW|PLW|Palau;Republic of Palau|パラオ;パラオ共和国
PY|PRY|Paraguay;Republic of Paraguay|パラグアイ;パラグアイ共和国
QA|QAT|Qatar;State of Qatar|カタール;カタール国
RE|REU|Reunion;Réunion|レユニオン
RO|ROU|Romania|ルーマニア
RS|SRB|Serbia;Republic of Serbia|セルビア;セルビア共和国
RU|RUS|Russia;Russian Federation|ロシア;ロシア連邦
RW|RWA|Rwanda;Republic of Rwanda;Rwandese Republic|ルワンダ;ルワンダ共和国
SA|SAU|Saudi Arabia;Kingdom of Saudi Arabia|サウジアラビア;サウジアラビア王国
SB|SLB|Solomon Islands|ソロモン諸島
SC|SYC|Seychelles;Republic of Seychelles|セーシェル;セーシェル共和国
SD|SDN|Sudan;Republic of the Sudan;The Sudan|スーダン;スーダン共和国
SE|SWE|Sweden;Kingdom of Sweden|スウェーデン;スウェーデン王国
SG|SGP|Singapore;Republic of Singapore|シンガポール;シンガポール共和国
SH|SHN|Saint Helena;Saint Helena, Ascension and Tristan da Cunha|セントヘレナ
SI|SVN|Slovenia;Republic of Slovenia|スロベニア;スロベニア共和国
SJ|SJM|Svalbard and Jan Mayen|スバールバル諸島・ヤンマイエン島
SK|SVK|Slovakia;Slovak Republic|スロバキア;スロバキア共和国
SL|SLE|Sierra Leone;Republic of Sierra Leone|シエラレオネ;シエラレオネ共和国
SM|SMR|San Marino;Republic of San Marino|サンマリノ;サンマリノ共和国
SN|SEN|Senegal;Republic of Senegal|セネガル;セネガル共和国
SO|SOM|Somalia;Federal Republic of Somalia|ソマリア;ソマリア連邦共和国
SR|SUR|Suriname;Republic of Suriname|スリナム;スリナム共和国
SS|SSD|South Sudan;Republic of South Sudan|南スーダン;南スーダン共和国
ST|STP|Sao Tome and Principe;Democratic Republic of Sao Tome and Principe|サントメ・プリンシペ;サントメ・プリンシペ民主共和国
SV|SLV|El Salvador;Republic of El Salvador|エルサルバドル;エルサルバドル共和国
SX|SXM|Sint Maarten (Dutch part);Sint Maarten|シント・マールテン
SY|SYR|Syria;Syrian Arab Republic|シリア;シリア・アラブ共和国
SZ|SWZ|Eswatini;Kingdom of Eswatini;Swaziland|エスワティニ;エスワティニ王国;スワジランド
TC|TCA|Turks and Caicos Islands|タークス・カイコス諸島
TD|TCD|Chad;Republic of Chad|チャド;チャド共和国
TF|ATF|French Southern Territories|仏領南方・南極地域
TG|TGO|Togo;Togolese Republic|トーゴ;トーゴ共和国
TH|THA|Thailand;Kingdom of Thailand|タイ;タイ王国
TJ|TJK|Tajikistan;Republic of Tajikistan|タジキスタン;タジキスタン共和国
TK|TKL|Tokelau|トケラウ
TL|TLS|Timor-Leste;East Timor;Democratic Republic of Timor-Leste|東ティモール;東ティモール民主共和国
TM|TKM|Turkmenistan|トルクメニスタン
TN|TUN|Tunisia;Republic of Tunisia|チュニジア;チュニジア共和国
TO|TON|Tonga;Kingdom of Tonga|トンガ;トンガ王国
TR|TUR|Turkey;Türkiye;Turkiye;Republic of Türkiye;Republic of Turkey|トルコ;トルコ共和国;テュルキエ
TT|TTO|Trinidad and Tobago;Republic of Trinidad and Tobago|トリニダード・トバゴ;トリニダード・トバゴ共和国
TV|TUV|Tuvalu|ツバル
TW|TWN|Taiwan;Taiwan, Province of China;Chinese Taipei;Republic of China|台湾
TZ|TZA|Tanzania;United Republic of Tanzania;Tanzania, United Republic of|タンザニア;タンザニア連合共和国
UA|UKR|Ukraine|ウクライナ
UG|UGA|Uganda;Republic of Uganda|ウガンダ;ウガンダ共和国
UM|UMI|United States Minor Outlying Islands|合衆国領有小離島
US|USA|United States;United States of America;USA;U.S.A.;U.S.;America|米国;アメリカ;アメリカ合衆国
UY|URY|Uruguay;Eastern Republic of Uruguay|ウルグアイ;ウルグアイ東方共和国
UZ|UZB|Uzbekistan;Republic of Uzbekistan|ウズベキスタン;ウズベキスタン共和国
VA|VAT|Holy See;Vatican;Vatican City;Holy See (Vatican City State)|バチカン;バチカン市国
VC|VCT|Saint Vincent and the Grenadines|セントビンセント及びグレナディーン諸島
VE|VEN|Venezuela;Bolivarian Republic of Venezuela;Venezuela, Bolivarian Republic of|ベネズエラ;ベネズエラ・ボリバル共和国
VG|VGB|British Virgin Islands;Virgin Islands, British|英領バージン諸島
VI|VIR|United States Virgin Islands;Virgin Islands, U.S.|米領バージン諸島
VN|VNM|Viet Nam;Vietnam;Socialist Republic of Viet Nam|ベトナム;ベトナム社会主義共和国
VU|VUT|Vanuatu;Republic of Vanuatu|バヌアツ;バヌアツ共和国
WF|WLF|Wallis and Futuna|ウォリス・フツナ
WS|WSM|Samoa;Independent State of Samoa|サモア;サモア独立国
XK|XKX|Kosovo;Republic of Kosovo|コソボ;コソボ共和国
YE|YEM|Yemen;Republic of Yemen|イエメン;イエメン共和国
YT|MYT|Mayotte|マヨット
ZA|ZAF|South Africa;Republic of South Africa|南アフリカ;南アフリカ共和国
ZM|ZMB|Zambia;Republic of Zambia|ザンビア;ザンビア共和国
ZW|ZWE|Zimbabwe;Republic of Zimbabwe|ジンバブエ;ジンバブエ共和国
`
