package query

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The benchmark workload: realistic alert rules and posts, generated
// deterministically so figures are comparable between runs.

func productWords() []string {
	return strings.Fields(`iphone samsung galaxy pixel xiaomi oppo asus acer lenovo macbook ipad
		airpods watch switch ps5 ps4 xbox nintendo sony canon nikon fujifilm leica lens camera
		tripod drone dji gopro kindle dyson vacuum lego bike stroller monitor keyboard mouse
		gpu rtx 4090 3080 ssd ram router speaker headphones bose jbl marshall guitar yamaha
		piano ikea sofa desk chair mattress dior chanel gucci prada rolex omega seiko casio
		nike adidas jordan yeezy uniqlo zara patagonia northface coleman tent thermos tesla
		scooter gogoro vespa pro max mini air ultra plus 128gb 256gb 512gb 1tb sealed refurbished
		broken cracked warranty original limited edition vintage bundle charger case`)
}

func chatWords() []string {
	return strings.Fields(`the and for with selling price today good condition pickup shipping
		please message me if you are interested only used a few times works perfectly no
		scratches comes box all accessories first come served can meet near station cash
		transfer thanks everyone looking to buy anyone has this still available how much
		what size color is it negotiable best offer will consider trades`)
}

// termHan is the pool Chinese rule terms are drawn from: product and
// condition words.
const termHan = "二手全新九成便宜出清售讓賣換機殼螢幕保護貼耳機充電線手錶相機鏡頭筆電平板主機遊戲" +
	"手把滑鼠鍵盤顯卡硬碟記憶體電源喇叭音響冰箱洗衣烘乾冷氣電視沙發床墊桌椅嬰兒推車玩具積木" +
	"模型公仔書籍漫畫衣服外套鞋子包包香水化妝保養品牌正品限量原廠保固維修故障壞掉裂痕刮傷池膨脹"

// chatHan is the pool post text is drawn from: everyday words, with a few
// characters shared with termHan so some posts hit terms.
const chatHan = "的是我你他她們在有這個那人來去說要會可以好很都也就不沒了嗎呢吧啊今天明昨年月日時候" +
	"點分上下午早晚家裡外面朋友大家謝謝請問一想知道因為所以但如果還已經再次些什麼怎樣何多少" +
	"給看到聽見覺得真的非常比較最近之前以後手機便宜賣全新"

func randomHanTerm(rng *rand.Rand, pool []rune) string {
	n := 2 + rng.IntN(3)
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = pool[rng.IntN(len(pool))]
	}
	return string(rs)
}

// modelName returns a made-up model or brand name such as "zetrim" or
// "kavo320": real rule sets name thousands of distinct products, which a
// fixed word list cannot imitate.
func modelName(rng *rand.Rand) string {
	const consonants, vowels = "bcdfghjklmnprstvwxz", "aeiou"
	var b strings.Builder
	for range 2 + rng.IntN(2) {
		b.WriteByte(consonants[rng.IntN(len(consonants))])
		b.WriteByte(vowels[rng.IntN(len(vowels))])
	}
	if rng.IntN(2) == 0 {
		fmt.Fprintf(&b, "%d", 10+rng.IntN(990))
	}
	return b.String()
}

// workloadTerm returns an English word, an English phrase, a model name or
// a Chinese term.
func workloadTerm(rng *rand.Rand, words []string, han []rune) string {
	switch rng.IntN(10) {
	case 0:
		return words[rng.IntN(len(words))]
	case 1, 2:
		return `"` + words[rng.IntN(len(words))] + " " + modelName(rng) + `"`
	case 3, 4:
		return modelName(rng)
	default:
		return randomHanTerm(rng, han)
	}
}

// workloadRules returns n rules of one to three ANDed parts, each a term or
// an OR of two or three terms, and in a third of them a negated term.
func workloadRules(tb testing.TB, n int) []Rule {
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	words, han := productWords(), []rune(termHan)
	rules := make([]Rule, n)
	for i := range rules {
		var parts []string
		for range 1 + rng.IntN(3) {
			if rng.IntN(3) == 0 {
				alts := make([]string, 2+rng.IntN(2))
				for j := range alts {
					alts[j] = workloadTerm(rng, words, han)
				}
				parts = append(parts, "("+strings.Join(alts, " OR ")+")")
			} else {
				parts = append(parts, workloadTerm(rng, words, han))
			}
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, "-"+workloadTerm(rng, words, han))
		}
		q := strings.Join(parts, " ")
		e, err := Parse(q)
		if err != nil {
			tb.Fatalf("generated query %q: %v", q, err)
		}
		rules[i] = Rule{Name: fmt.Sprintf("rule-%05d", i), Expr: e}
	}
	return rules
}

// workloadPosts returns n normalized posts of about 500 bytes of chat in
// English and Chinese; one in four names a product or two.
func workloadPosts(n int) []string {
	rng := rand.New(rand.NewPCG(7, 7))
	chat, products, han := chatWords(), productWords(), []rune(chatHan)
	posts := make([]string, n)
	for i := range posts {
		var b strings.Builder
		if i%4 == 0 {
			for range 1 + rng.IntN(2) {
				b.WriteString(products[rng.IntN(len(products))])
				b.WriteByte(' ')
			}
		}
		for b.Len() < 500 {
			if rng.IntN(2) == 0 {
				b.WriteString(chat[rng.IntN(len(chat))])
				b.WriteByte(' ')
				continue
			}
			for range 2 + rng.IntN(6) {
				b.WriteRune(han[rng.IntN(len(han))])
			}
			// Full-width punctuation is already ASCII after
			// normalization.
			b.WriteString([]string{",", "。", "!", " ", ""}[rng.IntN(5)])
		}
		posts[i] = strings.TrimSpace(b.String())
	}
	return posts
}
