package query

import (
	"reflect"
	"testing"

	"groupwatch/textnorm"
)

// TestMatchChineseVariants checks that a term matches its Traditional, Simplified and
// regional forms unless its rule is exact, while vocabulary differences stay apart.
func TestMatchChineseVariants(t *testing.T) {
	tests := []struct {
		name  string
		query string
		exact bool
		text  string
		terms []string // terms of the single result, nil for no match
	}{
		{"traditional rule, simplified post", `相機`, false, "出售二手相机", []string{"相機"}},
		{"simplified rule, traditional post", `价格`, false, "價格很便宜", []string{"价格"}},
		{"same script", `相機`, false, "出售二手相機", []string{"相機"}},
		{"taiwan and hong kong forms", `這裡`, false, "这里 這裏", []string{"這裡"}},
		{"着 and 著", `看着`, false, "一直看著你", []string{"看着"}},
		{"vocabulary stays apart", `软件`, false, "這個軟體很好用", nil},
		{"vocabulary stays apart 2", `信息`, false, "最新資訊", nil},
		{"rule listing both words", `软件 OR 軟體`, false, "這個軟體很好用", []string{"軟體"}},
		{"latin beside variants", `"iphone 相機"`, false, "iPhone 相机 壞了", []string{"iphone 相機"}},
		{"negated variant", `相機 -壞`, false, "相机坏了", nil},
		{"exact: other script does not match", `相機`, true, "出售二手相机", nil},
		{"exact: same script matches", `相機`, true, "出售二手相機", []string{"相機"}},
		{"exact: later occurrence as written", `相機`, true, "相机 相機", []string{"相機"}},
		{"exact: regional form does not match", `這裡`, true, "這裏", nil},
		{"exact negation ignores variants", `相機 -坏`, true, "相機壞了", []string{"相機"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			for _, budget := range []int{denseBytes, 0} {
				m, err := compile([]Rule{{Name: "r", Expr: e, Exact: tt.exact}}, budget)
				if err != nil {
					t.Fatal(err)
				}
				var want []Result
				if tt.terms != nil {
					want = []Result{{Rule: "r", Terms: tt.terms}}
				}
				if got := m.Match(textnorm.Normalize(tt.text)); !reflect.DeepEqual(got, want) {
					t.Errorf("dense budget %d: Match(%q) = %v, want %v", budget, tt.text, got, want)
				}
			}
		})
	}
}

// TestMatchFoldingAndExactRulesTogether checks that rules sharing a term's folded form keep
// their own spelling and exactness in one Matcher.
func TestMatchFoldingAndExactRulesTogether(t *testing.T) {
	rules := []Rule{
		{Name: "fold-trad", Expr: Term{Text: "相機"}},
		{Name: "fold-simp", Expr: Term{Text: "相机"}},
		{Name: "exact-trad", Expr: Term{Text: "相機"}, Exact: true},
		{Name: "exact-simp", Expr: Term{Text: "相机"}, Exact: true},
	}
	m, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []Result
	}{
		{"二手相机", []Result{{"fold-trad", []string{"相機"}}, {"fold-simp", []string{"相机"}}, {"exact-simp", []string{"相机"}}}},
		{"二手相機", []Result{{"fold-trad", []string{"相機"}}, {"fold-simp", []string{"相机"}}, {"exact-trad", []string{"相機"}}}},
		{"相機 相机", []Result{{"fold-trad", []string{"相機"}}, {"fold-simp", []string{"相机"}}, {"exact-trad", []string{"相機"}}, {"exact-simp", []string{"相机"}}}},
		{"照相", nil},
	}
	for _, tt := range tests {
		if got := m.Match(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestSpellings(t *testing.T) {
	tests := []struct {
		text, term string
		exact      bool
		want       []string
	}{
		{"出售二手相机", "相機", false, []string{"相机"}},
		{"相機 相机 相機", "相機", false, []string{"相機", "相机"}},
		{"相機 相机", "相機", true, []string{"相機"}},
		{"iphone150 iphone 15", "iphone 15", false, []string{"iphone 15"}},
		{"軟體", "软件", false, nil},
		{"這裏 这里", "這裡", false, []string{"這裏", "这里"}},
	}
	for _, tt := range tests {
		if got := Spellings(tt.text, tt.term, tt.exact); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Spellings(%q, %q, %v) = %q, want %q", tt.text, tt.term, tt.exact, got, tt.want)
		}
	}
}
