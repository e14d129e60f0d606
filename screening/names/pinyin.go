package names

import "strings"

// pinyinTable gives the Mandarin reading, without tones, of the Chinese
// characters that occur most in company and person names on the lists:
// place names (provinces, large cities, countries), the words of company
// names (technology, trade, industry, group, electronics, shipping,
// machinery, materials, energy ...), the hundred most common surnames and
// frequent given-name characters, in simplified and traditional forms.
// About 1,100 characters. A character that is missing keeps its original form
// and has no Latin reading; matching then relies on the Han text itself.
// ü is written u (Lü → lu), as company romanisations usually do.
// Polyphonic characters take the reading they have in names (行 hang as in
// 银行 is set by the word table, not here).
const pinyinTable = `
a 阿啊
ai 爱愛艾埃碍礙
an 安鞍岸按胺氨
ang 昂
ao 奥奧澳傲
ba 巴八把坝壩拔
bai 百白柏拜佰
ban 板半办辦班般版
bang 邦帮幫棒
bao 宝寶保包报報堡豹鲍鮑
bei 北贝貝备備杯倍
ben 本奔
beng 泵
bi 比必碧毕畢壁
bian 边邊变變便
biao 标標表
bin 宾賓滨濱彬斌
bing 兵冰丙
bo 博波伯泊舶勃
bu 步布部
cai 材财財彩蔡采
can 灿燦
cang 仓倉苍蒼
cao 曹草
ce 测測策
ceng 层層
cha 茶
chai 柴
chan 产產
chang 长長昌常厂廠场場畅暢
chao 超朝潮
che 车車
chen 辰陈陳晨臣
cheng 成城诚誠程承呈
chi 驰馳池
chong 崇冲
chu 出储儲楚初础礎
chuan 川船传傳
chuang 创創
chun 春纯純
ci 磁慈
cong 聪聰丛叢
cui 崔翠
cun 村
da 大达達
dai 代戴岱
dan 丹单單
dang 当當
dao 道导導岛島
de 德得
deng 登邓鄧灯燈
di 地迪帝第狄
dian 电電典殿
diao 钓釣
ding 鼎丁定
dong 东東董动動
dou 斗
du 都杜度渡
duan 段端锻鍛
dui 队隊
dun 敦盾
duo 多
e 鄂俄峨
en 恩
er 尔爾二
fa 发發法
fan 凡帆范範繁
fang 方芳房防
fei 飞飛菲非
fen 分芬份
feng 丰豐风風峰锋鋒冯馮凤鳳枫楓
fu 福富复復府夫傅付辅輔孚服阜
gai 盖蓋
gan 甘干幹赣贛
gang 钢鋼港刚剛
gao 高
ge 格哥歌葛革
gen 根
geng 耕
gong 工公宫宮功供龚龔
gou 构構
gu 古谷股固顾顧
guan 管关關冠观觀
guang 光广廣
gui 贵貴桂规規
guo 国國郭果
ha 哈
hai 海
han 汉漢韩韓翰寒
hang 航杭
hao 豪浩好郝号號
he 和合河何核贺賀
hei 黑
heng 恒恆衡
hong 宏红紅鸿鴻洪虹
hou 厚侯
hu 胡湖虎沪滬
hua 华華化花
huai 淮
huan 环環欢歡
huang 黄黃皇
hui 汇匯惠辉輝会會慧徽
huo 火货貨
ji 机機技集吉基际際纪紀济濟季冀计計
jia 佳嘉家加贾賈
jian 建健剑劍坚堅件检檢
jiang 江疆姜蒋蔣
jiao 交蛟胶膠
jie 杰傑捷洁潔界街
jin 金锦錦津晋晉进進近
jing 京精晶经經静靜景
jiu 久九究
ju 聚巨局
jun 军軍君骏駿
kai 开開凯凱
kang 康
ke 科可克客
kong 空控孔
kou 口
kuang 矿礦
kun 昆坤
la 拉
lai 来來莱萊
lan 兰蘭蓝藍
lang 朗
le 乐樂勒
lei 雷磊
li 利力立理丽麗李黎礼禮里
lian 联聯连連莲蓮链鏈
liang 良亮梁
liao 辽遼廖料
lin 林临臨麟
ling 凌灵靈岭嶺
liu 刘劉流六
long 龙龍隆
lou 楼樓
lu 路陆陸鲁魯卢盧露绿綠铝鋁律吕呂
lun 伦倫轮輪
luo 罗羅洛络絡
ma 马馬麻
mai 迈邁麦麥
man 满滿曼
mao 贸貿茂毛
mei 美梅
men 门門
meng 蒙孟盟
mi 米密
mian 绵綿
miao 苗妙
min 民敏闽閩
ming 明铭銘名
mo 模摩莫
mu 木牧穆
na 纳納娜
nan 南楠
nei 内
neng 能
ni 尼
ning 宁寧
niu 牛
nong 农農
ou 欧歐
pai 派
pan 潘盘盤
peng 鹏鵬彭蓬朋
pian 片
pin 品
ping 平萍
pu 浦普
qi 七奇齐齊企启啟旗琪气氣器
qian 千前钱錢乾
qiang 强強
qiao 桥橋乔喬
qin 秦勤琴覃
qing 青清庆慶晴
qiu 秋球邱
qu 区區
quan 全泉权權
qun 群
ran 燃然
ren 人仁任
ri 日
rong 荣榮融容蓉
ruan 软軟
rui 瑞锐銳
run 润潤
sai 赛賽
san 三
sen 森
sha 沙
shan 山善珊陕陝
shang 上商尚
shao 绍紹邵
she 社设設
shen 深申神沈
sheng 生盛胜勝圣聖省升
shi 实實石世市时時士施史事师師诗詩室
shou 寿壽首售
shu 数數书書舒树樹输輸属屬
shui 水
shun 顺順
si 四思斯丝絲司
song 松宋嵩
su 苏蘇素速肃肅
sui 穗
sun 孙孫
suo 所
tai 泰太台钛鈦
tan 谭譚坦
tang 唐堂汤湯
tao 陶涛濤
te 特
teng 腾騰
ti 体體
tian 天田
tie 铁鐵
tong 通同童铜銅
tou 投
tu 图圖土
tuan 团團
tuo 拓
wan 万萬湾灣
wang 王旺网網汪
wei 威伟偉维維卫衛为為微魏韦韋
wen 文温溫
wo 沃
wu 五吴吳武物无無务務
xi 西希锡錫习習喜稀息
xia 夏厦廈
xian 先仙贤賢线線限县縣鲜鮮
xiang 香祥翔湘象向
xiao 晓曉小肖销銷
xie 协協谢謝械
xin 新信鑫心欣芯
xing 星兴興邢
xiong 雄熊
xiu 秀
xu 徐许許旭
xuan 宣轩軒
xue 学學雪薛
xun 讯訊迅询詢
ya 亚亞雅
yan 研燕岩严嚴延颜顏闫
yang 阳陽洋杨楊扬揚
yao 耀姚遥
ye 业業叶葉冶
yi 一亿億益毅义義艺藝医醫仪儀易伊
yin 银銀印音尹
ying 英赢贏鹰鷹营營应應硬
yong 永勇涌
you 友优優油有
yu 宇玉于余裕渔漁禹
yuan 源元远遠园園原圆圓院袁
yue 越月岳粤粵
yun 云雲运運
zai 再
zang 藏
zao 造早
ze 泽澤责責
zeng 曾
zhan 展站占
zhang 张張章
zhao 赵趙昭照
zhe 浙哲
zhen 振真珍圳镇鎮
zheng 正政郑鄭证證
zhi 智志制致之治芝质質
zhong 中重众眾钟鐘忠
zhou 周洲州
zhu 珠朱竹筑築
zhuang 装裝庄莊
zi 子资資紫自咨
zong 总總宗
zou 邹鄒
zu 组組
`

var pinyinOf = func() map[rune]string {
	m := make(map[rune]string, 1000)
	for _, line := range strings.Split(pinyinTable, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		for _, r := range f[1] {
			if _, dup := m[r]; !dup {
				m[r] = f[0]
			}
		}
	}
	return m
}()

// pinyin writes a run of Han characters in toneless pinyin, one syllable per
// character, joined. It reports false when a character has no reading here.
func pinyin(s string) (string, bool) {
	var b strings.Builder
	complete := true
	for _, r := range s {
		if p, ok := pinyinOf[r]; ok {
			b.WriteString(p)
		} else {
			complete = false
		}
	}
	return b.String(), complete
}
