package sources

import "testing"

func TestCleanFacebookURL(t *testing.T) {
	base := parseBase("https://m.facebook.com/groups/1/")
	tests := []struct{ href, want string }{
		{"", ""},
		{"#", ""},
		{"javascript:void(0)", ""},
		{"/omarflorez?groupid=117&refid=18&_ft_=top_level_post_id.1%3Apage_id.2&__tn__=C-R", "https://m.facebook.com/omarflorez"},
		{"/profile.php?id=700000002&refid=18", "https://m.facebook.com/profile.php?id=700000002"},
		{"/story.php?story_fbid=10158&id=539&refid=18&_ft_=x", "https://m.facebook.com/story.php?story_fbid=10158&id=539"},
		{"/Nintendo/?__tn__=C-R", "https://m.facebook.com/Nintendo/"},
		{"/Nintendo/photos/a.27/419/?type=3&__tn__=-R", "https://m.facebook.com/Nintendo/photos/a.27/419/?type=3"},
		{"https://www.facebook.com/Nintendo/posts/3065?__xts__%5B0%5D=68.ARC&__tn__=-R", "https://www.facebook.com/Nintendo/posts/3065"},
		{"permalink/5/", "https://m.facebook.com/groups/1/permalink/5/"},
	}
	for _, tt := range tests {
		if got := cleanFacebookURL(base, tt.href); got != tt.want {
			t.Errorf("cleanFacebookURL(%q) = %q, want %q", tt.href, got, tt.want)
		}
	}
	if got := absoluteURL(nil, "/relative"); got != "" {
		t.Errorf("a relative link without a base: %q, want \"\"", got)
	}
}
