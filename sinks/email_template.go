package sinks

import (
	"fmt"
	"html/template"
	"strings"
)

// emailView is what an alert mail shows, in both its text and its HTML part.
type emailView struct {
	Subject   string
	Snippet   string // the start of the post, for the inbox preview
	Rule      string
	Kind      string
	KindLabel string // "New matching post", "Threshold reached", "Digest"
	Source    string
	Author    string
	URL       string // http or https only; empty otherwise
	TimeLabel string // "Posted" or "Seen"
	Time      string
	Terms     []string
	Text      []textSegment // the post, matched terms marked
	PlainText string
	Truncated bool
	Chart     *chartView
	AlertID   int64
	// Unsubscribe is the digest's List-Unsubscribe URL, shown as a link too.
	Unsubscribe string
}

// chartView is the trend chart and its caption.
type chartView struct {
	CID           string // Content-ID of the image, without angle brackets
	Width, Height int    // as shown, in CSS pixels
	Title         string // "Matches per hour"
	Range         string // "26 Nov 09:00 – 27 Nov 09:00 HKT"
	Peak          string // "37 matches at 26 Nov 21:00"
	Total         int
	Gridline      int // matches between gridlines
}

// The HTML is a single 600px column with inline styles (mail clients drop style sheets), in
// tables where layout matters (Outlook ignores much of CSS), readable on a phone without
// zooming. html/template escapes every value and drops links that are not http, https or
// mailto.
var emailHTML = template.Must(template.New("alert").Parse(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f1f5f9;">
<div style="display:none;max-height:0;overflow:hidden;opacity:0;">{{.Snippet}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f5f9;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border-radius:10px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang HK','Noto Sans CJK TC','Microsoft JhengHei',sans-serif;color:#0f172a;">
<tr><td style="padding:20px 20px 4px;">
<div style="font-size:13px;letter-spacing:.02em;color:#64748b;">groupwatch · {{.KindLabel}}</div>
<h1 style="margin:4px 0 0;font-size:22px;line-height:1.3;font-weight:700;word-break:break-word;">{{.Rule}}</h1>
</td></tr>
{{- with .Chart}}
<tr><td style="padding:16px 20px 0;">
<div style="font-size:15px;font-weight:600;">{{.Title}}</div>
<div style="font-size:13px;color:#475569;margin-top:2px;">{{.Range}}</div>
<img src="cid:{{.CID}}" width="{{.Width}}" alt="Bar chart of {{.Title}}, {{.Range}}; peak {{.Peak}}" style="display:block;width:100%;max-width:{{.Width}}px;height:auto;border:0;margin:10px 0 6px;">
<div style="font-size:13px;color:#475569;line-height:1.5;">Peak <b>{{.Peak}}</b> · total <b>{{.Total}}</b> · a gridline every {{.Gridline}}</div>
</td></tr>
{{- end}}
<tr><td style="padding:16px 20px 0;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="font-size:14px;line-height:1.6;">
<tr><td style="color:#64748b;padding-right:14px;vertical-align:top;white-space:nowrap;">Source</td><td style="word-break:break-word;">{{.Source}}</td></tr>
{{- if .Author}}
<tr><td style="color:#64748b;padding-right:14px;vertical-align:top;white-space:nowrap;">Author</td><td style="word-break:break-word;">{{.Author}}</td></tr>
{{- end}}
{{- if .Time}}
<tr><td style="color:#64748b;padding-right:14px;vertical-align:top;white-space:nowrap;">{{.TimeLabel}}</td><td>{{.Time}}</td></tr>
{{- end}}
{{- if .Terms}}
<tr><td style="color:#64748b;padding-right:14px;vertical-align:top;white-space:nowrap;">Matched</td><td>{{range .Terms}}<span style="display:inline-block;background:#fef3c7;color:#78350f;border-radius:4px;padding:0 6px;margin:0 4px 4px 0;">{{.}}</span>{{end}}</td></tr>
{{- end}}
</table>
</td></tr>
<tr><td style="padding:14px 20px 0;">
<div style="font-size:16px;line-height:1.6;white-space:pre-wrap;word-break:break-word;background:#f8fafc;border-left:4px solid #2563eb;border-radius:4px;padding:12px 14px;">{{range .Text}}{{if .Match}}<mark style="background:#fde68a;color:#0f172a;border-radius:2px;padding:0 1px;">{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</div>
{{- if .Truncated}}
<div style="font-size:13px;color:#64748b;margin-top:6px;">The post goes on; open it to read the rest.</div>
{{- end}}
</td></tr>
{{- if .URL}}
<tr><td style="padding:18px 20px 0;">
<a href="{{.URL}}" style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;font-weight:600;font-size:16px;padding:12px 22px;border-radius:8px;">Open the post</a>
<div style="font-size:12px;color:#64748b;margin-top:8px;word-break:break-all;">{{.URL}}</div>
</td></tr>
{{- end}}
<tr><td style="padding:20px;">
<div style="border-top:1px solid #e2e8f0;padding-top:12px;font-size:12px;color:#94a3b8;">Alert {{.AlertID}} from groupwatch, rule {{.Rule}}.
{{- if .Unsubscribe}} <a href="{{.Unsubscribe}}" style="color:#64748b;">Unsubscribe from this digest</a>{{end}}</div>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`))

func renderHTML(v emailView) (string, error) {
	var b strings.Builder
	if err := emailHTML.Execute(&b, v); err != nil {
		return "", fmt.Errorf("cannot render HTML: %w", err)
	}
	return b.String(), nil
}

// renderText is the plain-text part: the same facts as the HTML, in the same order.
func renderText(v emailView) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	line("%s: %s", v.KindLabel, v.Rule)
	line("")
	if c := v.Chart; c != nil {
		line("%s, %s", c.Title, c.Range)
		line("Peak %s, total %d.", c.Peak, c.Total)
		line("")
	}
	line("Source:  %s", v.Source)
	if v.Author != "" {
		line("Author:  %s", v.Author)
	}
	if v.Time != "" {
		line("%-8s %s", v.TimeLabel+":", v.Time)
	}
	if len(v.Terms) > 0 {
		line("Matched: %s", strings.Join(v.Terms, ", "))
	}
	line("")
	line("%s", strings.ReplaceAll(strings.ReplaceAll(v.PlainText, "\r\n", "\n"), "\n", "\r\n"))
	if v.Truncated {
		line("[…]")
	}
	if v.URL != "" {
		line("")
		line("Open the post: %s", v.URL)
	}
	line("")
	line("-- ")
	line("Alert %d from groupwatch, rule %s.", v.AlertID, v.Rule)
	if v.Unsubscribe != "" {
		line("Unsubscribe from this digest: %s", v.Unsubscribe)
	}
	return b.String()
}
