// Package bench measures groupwatch end to end on real Redis and MariaDB, beside baselines of
// what those servers do with the same data when nothing but go-redis or one SQL statement
// stands in between. See docs/benchmarks.md.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"groupwatch/handlers"
	"groupwatch/pipeline"
	"groupwatch/query"
	"groupwatch/textnorm"
)

// benchRule is one rule of the benchmark's configuration with texts that satisfy it and no
// other rule (hits), and texts that look like a hit but satisfy no rule at all (near misses:
// a negated term present, half of an AND, a word boundary not met).
type benchRule struct {
	name, query string
	hits, near  []string
}

// benchRules are twenty rules of the kind a community-group watcher holds, half their terms
// English and half Chinese, some sharing terms (二手, 出售, "for sale") so that the matcher
// evaluates more candidates than it reports.
var benchRules = []benchRule{
	{"iphone-deals", `"iphone 15" (二手 OR 便宜 OR cheap OR used) -壞掉 -broken`,
		[]string{"iPhone 15 二手", "iphone 15 cheap", "IPHONE 15 used 便宜"},
		[]string{"iphone 15 二手 壞掉", "iphone 150 cheap", "iphone 15 broken cheap"}},
	{"brand-complaints", `acme (退款 OR refund OR 投訴 OR complaint OR "never again")`,
		[]string{"ACME refund", "acme 投訴", "acme never again"},
		[]string{"acme", "acmes refund"}},
	{"switch-bargains", `(switch OR 任天堂) (出售 OR "for sale")`,
		[]string{"任天堂 出售", "Switch for sale"},
		[]string{"switch", "switches forsale"}},
	{"rent-taipei", `(租屋 OR "for rent") (台北 OR taipei)`,
		[]string{"台北租屋", "Taipei for rent"},
		[]string{"租屋", "taipei rent"}},
	{"lost-pet", `走失 OR "lost dog" OR "lost cat"`,
		[]string{"狗狗走失", "lost dog", "Lost Cat"},
		[]string{"lost and found dog"}},
	{"scam-warning", `(詐騙 OR scam) -joke`,
		[]string{"小心詐騙", "scam alert"},
		[]string{"scam joke", "scammer"}},
	{"job-posting", `(徵才 OR hiring) (工程師 OR engineer)`,
		[]string{"徵才 工程師", "hiring engineer"},
		[]string{"hiring cashier"}},
	{"car-sale", `(toyota OR 豐田) (出售 OR "for sale")`,
		[]string{"豐田 出售", "Toyota for sale"},
		[]string{"toyota"}},
	{"concert-tickets", `(演唱會 OR concert) (門票 OR tickets)`,
		[]string{"演唱會門票", "concert tickets"},
		[]string{"concert"}},
	{"bike-stolen", `(腳踏車 OR bicycle) (被偷 OR stolen)`,
		[]string{"腳踏車被偷", "bicycle stolen"},
		[]string{"bicycle"}},
	{"free-stuff", `"free to a good home" OR 免費贈送`,
		[]string{"免費贈送", "free to a good home"},
		[]string{"free to good home"}},
	{"flood-alert", `(淹水 OR flooding) (警報 OR warning)`,
		[]string{"淹水警報", "flooding warning"},
		[]string{"flooding"}},
	{"macbook-deals", `macbook (二手 OR used) -壞掉`,
		[]string{"MacBook 二手", "macbook used"},
		[]string{"macbook 二手 壞掉"}},
	{"baby-gear", `(嬰兒車 OR stroller) (轉讓 OR "for sale")`,
		[]string{"嬰兒車轉讓", "stroller for sale"},
		[]string{"stroller"}},
	{"restaurant-closing", `(餐廳 OR restaurant) (歇業 OR closing)`,
		[]string{"餐廳歇業", "restaurant closing"},
		[]string{"restaurant"}},
	{"apartment-noise", `(噪音 OR noise) (樓上 OR upstairs)`,
		[]string{"樓上噪音", "noise upstairs"},
		[]string{"noise"}},
	{"pharmacy-masks", `口罩 (藥局 OR pharmacy)`,
		[]string{"藥局口罩", "口罩 pharmacy"},
		[]string{"口罩"}},
	{"ps5-stock", `ps5 (現貨 OR "in stock")`,
		[]string{"PS5 現貨", "ps5 in stock"},
		[]string{"ps5", "ps55 in stock"}},
	{"tutor-wanted", `(家教 OR tutor) (徵求 OR wanted)`,
		[]string{"徵求家教", "tutor wanted"},
		[]string{"tutor"}},
	{"earthquake", `(地震 OR earthquake) (災情 OR damage)`,
		[]string{"地震災情", "earthquake damage"},
		[]string{"earthquake"}},
}

// englishNoise and chineseNoise are the filler of every post. No English word here is a
// rule's term, and chineseNoise drops every rune that occurs in a rule's query, so that no
// CJK term (which matches anywhere, not only at word boundaries) can appear by chance.
var (
	englishNoise = strings.Fields(`the with today group neighbors please share weekend photo
		price morning thanks anyone know where shop near station coffee rain school park update
		meeting friends family dinner quick question recommend market street bus late open hours
		this that from have been looking really nice place parking lot traffic road new city
		library garden kids walk lunch weather sunny cloudy tomorrow evening everyone hello`)
	chineseNoise = runesNotIn(
		"今天天氣很好大家一起去公園散步有人知道附近哪裡可以吃早餐謝謝分享這個消息我們社區週末活動請留言晚上朋友"+
			"庭學校下雨咖啡市場問題推薦開門時間感覺非常喜歡看電影買菜聊天照片價格明天早安午安辛苦了好像真的還是",
		func() string {
			var all strings.Builder
			for _, r := range benchRules {
				all.WriteString(r.query)
			}
			return all.String()
		}())
)

func runesNotIn(pool, taken string) []rune {
	var out []rune
	for _, r := range pool {
		if !strings.ContainsRune(taken, r) {
			out = append(out, r)
		}
	}
	return out
}

// Which posts hit a rule and which nearly do: exactly 1% each, at fixed positions, so that a
// run of any size has a known mix.
const (
	hitEvery  = 100
	hitAt     = 0
	nearAt    = 50
	textBytes = 500
)

// benchPost is one generated post and the rule it was built to match (-1 for none).
type benchPost struct {
	raw  handlers.RawPost
	rule int
}

// generatePosts makes n posts deterministically: the same n gives the same posts on every run.
// Each is about textBytes of text, alternately mostly English and mostly Chinese, with capital
// letters, full-width punctuation and now and then an emoji, as in a real group.
func generatePosts(n int) ([]benchPost, error) {
	rng := rand.New(rand.NewPCG(20240501, 42))
	posted := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	posts := make([]benchPost, n)
	for i := range posts {
		snippet, rule := "", -1
		switch i % hitEvery {
		case hitAt:
			rule = (i / hitEvery) % len(benchRules)
			hits := benchRules[rule].hits
			snippet = hits[rng.IntN(len(hits))]
		case nearAt:
			near := benchRules[rng.IntN(len(benchRules))].near
			snippet = near[rng.IntN(len(near))]
		}
		text := postText(rng, i%2 == 0, snippet)
		line, err := json.Marshal(map[string]string{
			"source":      "bench",
			"external_id": externalID(i),
			"author":      fmt.Sprintf("user-%d", rng.IntN(5000)),
			"text":        text,
			"url":         fmt.Sprintf("https://example.com/groups/bench/posts/%d", i),
			"posted_at":   posted.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		})
		if err != nil {
			return nil, err
		}
		// The very parser `pipeline ingest` uses, so the raw payload is what ingest sends.
		raw, err := pipeline.ParsePost(line, time.Now())
		if err != nil {
			return nil, fmt.Errorf("generated post %d is invalid: %w", i, err)
		}
		posts[i] = benchPost{raw: raw, rule: rule}
	}
	return posts, nil
}

// externalID is the post's id; the latency query maps it back to the post's index.
func externalID(i int) string { return fmt.Sprintf("%08d", i) }

// postText builds about textBytes of filler around snippet (when not empty). Mostly-English
// text is spaced word by word; mostly-Chinese text runs its Chinese together, as Chinese is
// written, with spaces only around English words. The snippet is always set off by spaces so
// that its English edges fall on word boundaries.
func postText(rng *rand.Rand, english bool, snippet string) string {
	type piece struct {
		text   string
		spaced bool
	}
	var pieces []piece
	size := 0
	for size < textBytes-len(snippet) {
		var p piece
		switch {
		case english && rng.IntN(8) > 0, !english && rng.IntN(8) == 0:
			p = piece{englishNoise[rng.IntN(len(englishNoise))], true}
			if rng.IntN(6) == 0 {
				p.text = strings.ToUpper(p.text[:1]) + p.text[1:]
			}
		default:
			var b strings.Builder
			for range 2 + rng.IntN(6) {
				b.WriteRune(chineseNoise[rng.IntN(len(chineseNoise))])
			}
			if rng.IntN(3) == 0 {
				b.WriteString([]string{"，", "。", "！", "？", "（好）"}[rng.IntN(5)])
			}
			p = piece{b.String(), english}
		}
		pieces = append(pieces, p)
		size += len(p.text) + 1
	}
	if rng.IntN(20) == 0 {
		pieces = append(pieces, piece{"😀", true})
	}
	if snippet != "" {
		at := rng.IntN(len(pieces) + 1)
		pieces = append(pieces[:at], append([]piece{{snippet, true}}, pieces[at:]...)...)
	}
	var b strings.Builder
	for i, p := range pieces {
		if i > 0 && (p.spaced || pieces[i-1].spaced) {
			b.WriteByte(' ')
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// compileRules builds the matcher the pipeline builds from the same rules.
func compileRules() (*query.Matcher, error) {
	rules := make([]query.Rule, len(benchRules))
	for i, r := range benchRules {
		expr, err := query.Parse(r.query)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.name, err)
		}
		rules[i] = query.Rule{Name: r.name, Expr: expr}
	}
	return query.Compile(rules)
}

// expectedAlerts is how many alerts the posts must give: one per (rule, post) that the
// matcher matches on the normalized text, worked out independently of the pipeline. It
// also checks that each post matches exactly the rule it was built for, so a generator that
// drifted from its design fails loudly instead of silently changing the workload.
func expectedAlerts(posts []benchPost) (int, error) {
	m, err := compileRules()
	if err != nil {
		return 0, err
	}
	total := 0
	for i, p := range posts {
		results := m.Match(textnorm.Normalize(p.raw.Text))
		total += len(results)
		want := "no rule"
		if p.rule >= 0 {
			want = benchRules[p.rule].name
		}
		got := "no rule"
		if len(results) > 0 {
			names := make([]string, len(results))
			for j, r := range results {
				names[j] = r.Rule
			}
			got = strings.Join(names, ", ")
		}
		if got != want {
			return 0, fmt.Errorf("post %d matches %s, built for %s: %.80q", i, got, want, p.raw.Text)
		}
		if !utf8.ValidString(p.raw.Text) {
			return 0, fmt.Errorf("post %d is not valid UTF-8", i)
		}
	}
	return total, nil
}

// TestGeneratedPosts checks the workload without any server: every hit and near miss of every
// rule, in both kinds of filler, and a small generated run. It takes milliseconds, so it runs
// with `go test ./...`.
func TestGeneratedPosts(t *testing.T) {
	m, err := compileRules()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, r := range benchRules {
		for _, english := range []bool{true, false} {
			for _, hit := range r.hits {
				text := postText(rng, english, hit)
				got := m.Match(textnorm.Normalize(text))
				if len(got) != 1 || got[0].Rule != r.name {
					t.Errorf("hit %q of %s (english %v) matched %v", hit, r.name, english, got)
				}
			}
			for _, near := range r.near {
				if got := m.Match(textnorm.Normalize(postText(rng, english, near))); len(got) != 0 {
					t.Errorf("near miss %q of %s (english %v) matched %v", near, r.name, english, got)
				}
			}
		}
	}
	posts, err := generatePosts(2000)
	if err != nil {
		t.Fatal(err)
	}
	want, err := expectedAlerts(posts)
	if err != nil {
		t.Fatal(err)
	}
	if want != 2000/hitEvery {
		t.Errorf("2000 posts give %d alerts, want %d", want, 2000/hitEvery)
	}
	bytes := 0
	for _, p := range posts {
		bytes += len(p.raw.Text)
	}
	if avg := bytes / len(posts); avg < textBytes-50 || avg > textBytes+100 {
		t.Errorf("average text is %d bytes, want about %d", avg, textBytes)
	}
	again, err := generatePosts(2000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range posts {
		if posts[i].raw.Text != again[i].raw.Text {
			t.Fatalf("post %d differs between two runs: the generator is not deterministic", i)
		}
	}
}
