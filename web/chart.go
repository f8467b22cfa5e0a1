package web

import (
	"fmt"
	"html/template"
	"strings"
)

// Charts are drawn here as SVG, inline in the page: no script, no library, no network, and
// under a CSP that allows no inline style (colours are presentation attributes and classes).

const (
	chartW, chartH = 720, 180
	padL, padB     = 44, 22
	padT, padR     = 10, 10
)

var seriesColours = []string{"#2f6fb0", "#c0392b", "#27864b", "#8e44ad", "#d68910"}

// lineChart draws series sharing one x axis of points; xLabel names the first and last
// point ("-3h", "now").
func lineChart(title string, series []Series, firstLabel, lastLabel string) template.HTML {
	max := int64(1)
	n := 0
	for _, s := range series {
		n = maxInt(n, len(s.Points))
		for _, v := range s.Points {
			max = max64(max, v)
		}
	}
	var b strings.Builder
	open(&b, "chart line-chart", title)
	axes(&b, max, firstLabel, lastLabel)
	for i, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		var pts []string
		for j, v := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(j, n), y(v, max)))
		}
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="1.5" points="%s"><title>%s</title></polyline>`,
			seriesColours[i%len(seriesColours)], strings.Join(pts, " "), esc(s.Name))
	}
	// Legend.
	for i, s := range series {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" class="legend">%s</text>`,
			padL+8+i*120, padT, seriesColours[i%len(seriesColours)], padL+22+i*120, padT+9, esc(s.Name))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String()) //nolint:gosec // built from numbers and escaped text only
}

// barChart draws one bar per value; ref, when above 0, is drawn as a dashed line (a rule's
// threshold or baseline) labelled refLabel.
func barChart(title string, values []int64, labels []string, ref float64, refLabel string) template.HTML {
	max := int64(1)
	for _, v := range values {
		max = max64(max, v)
	}
	if ref > 0 && int64(ref+0.999) > max {
		max = int64(ref + 0.999)
	}
	var b strings.Builder
	open(&b, "chart bar-chart", title)
	first, last := "", ""
	if len(labels) > 0 {
		first, last = labels[0], labels[len(labels)-1]
	}
	axes(&b, max, first, last)
	n := len(values)
	w := float64(chartW-padL-padR) / float64(maxInt(n, 1))
	for i, v := range values {
		top := y(v, max)
		label := ""
		if i < len(labels) {
			label = labels[i]
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2f6fb0"><title>%s: %d</title></rect>`,
			float64(padL)+float64(i)*w+1, top, maxF(w-2, 1), float64(chartH-padB)-top, esc(label), v)
	}
	if ref > 0 {
		ry := float64(chartH-padB) - ref/float64(max)*float64(chartH-padB-padT)
		fmt.Fprintf(&b, `<line class="ref" x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#c0392b" stroke-dasharray="4 3"/>`, padL, chartW-padR, ry, ry)
		fmt.Fprintf(&b, `<text class="legend" x="%d" y="%.1f" text-anchor="end" fill="#c0392b">%s</text>`, chartW-padR, ry-3, esc(refLabel))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String()) //nolint:gosec // built from numbers and escaped text only
}

func open(b *strings.Builder, class, title string) {
	fmt.Fprintf(b, `<svg class="%s" role="img" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		class, chartW, chartH, chartW, chartH, esc(title))
}

func axes(b *strings.Builder, max int64, first, last string) {
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, padL, chartH-padB, chartW-padR, chartH-padB)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, padL, padT, padL, chartH-padB)
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%d" text-anchor="end">%d</text>`, padL-4, padT+8, max)
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%d" text-anchor="end">0</text>`, padL-4, chartH-padB)
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%d">%s</text>`, padL, chartH-6, esc(first))
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%d" text-anchor="end">%s</text>`, chartW-padR, chartH-6, esc(last))
}

func x(i, n int) float64 {
	if n <= 1 {
		return padL
	}
	return float64(padL) + float64(i)*float64(chartW-padL-padR)/float64(n-1)
}

func y(v, max int64) float64 {
	return float64(chartH-padB) - float64(v)/float64(max)*float64(chartH-padB-padT)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func maxF(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
