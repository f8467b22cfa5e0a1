package sources

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// detectSample bounds how much of an undeclared page detection reads.
const detectSample = 64 << 10

// detectEncoding guesses the encoding of a page that declares none. Valid UTF-8 is UTF-8.
// Otherwise the page is read as Big5 (with the Hong Kong extensions) and as GB18030 (a
// superset of GBK and GB2312), and the reading with the most of the commonest Chinese
// characters, less the bytes neither could map, wins: mis-read Chinese gives valid but rare
// characters, real text gives common ones. When neither reading gives Chinese, the page is
// windows-1252, as browsers in the West assume.
func detectEncoding(body []byte) (encoding.Encoding, string) {
	sample := body[:min(len(body), detectSample)]
	// A cut multi-byte character at the end of the sample must not count against UTF-8.
	for i := 0; i < 3 && len(sample) > 0 && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1]
	}
	if utf8.Valid(sample) {
		return nil, "utf-8"
	}
	sample = body[:min(len(body), detectSample)]
	best, bestName, bestScore := encoding.Encoding(nil), "", 0
	for _, c := range []struct {
		enc  encoding.Encoding
		name string
	}{{traditionalchinese.Big5, "big5"}, {simplifiedchinese.GB18030, "gb18030"}} {
		text, err := c.enc.NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		if s := chineseScore(string(text)); s > bestScore {
			best, bestName, bestScore = c.enc, c.name, s
		}
	}
	if best == nil {
		return windows1252, "windows-1252"
	}
	return best, bestName
}

// chineseScore counts the common characters of a reading, less four for every character a
// decoder could not map or mapped into the private use area (where neither encoding puts
// real text).
func chineseScore(text string) int {
	score := 0
	for _, r := range text {
		switch {
		case r == utf8.RuneError || (r >= 0xE000 && r <= 0xF8FF):
			score -= 4
		case r < 0x3000:
		case strings.ContainsRune(commonHanzi, r):
			score++
		}
	}
	return score
}

// commonHanzi are about the 500 most frequent characters of Chinese text, in simplified and
// in traditional forms, with common Cantonese particles.
const commonHanzi = "" +
	// simplified
	"的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里" +
	"用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实" +
	"日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政" +
	"美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员" +
	"解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件" +
	"计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象" +
	"完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改" +
	"收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调" +
	"深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企" +
	"八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列" +
	"卖买新手机旧二手便宜问题谢谢请私讯" +
	// traditional
	"這個們來為國說時會對於著過發後裡經麼學現當沒動還進樣開從實軍無與長機關點業將兩間問體爭頭義產應戰" +
	"見親話資區隊統許權類據嗎車買賣舊價錢謝請訊題樓號網頁帖論壇貼讚評轉發圖電腦書報聽覺導歷醫們讓識帶" +
	"時陽務場開門這裡數給東聲們員處條氣題爾別變總電報結標類邊萬領確傳師觀運飛風聯組濟極辦議遠單愛擊備連調" +
	"團價黨華級離況亞請際約視響雖勢參眾構節劃敵陳態護興驗責營夠誰專費號盡較語僅選紅" +
	// Cantonese
	"嘅咗冇佢嘢唔係啲喺咁啱㗎嚟睇俾畀諗揾搵乜嘢咩呀喇囉"
