package sinks

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	"groupwatch/handlers"
)

// hourlyTrend is 24 hours of counts starting at start, with a quiet hour and a peak.
func hourlyTrend(start time.Time) []handlers.TrendPoint {
	counts := []int{3, 5, 2, 0, 1, 4, 8, 12, 9, 7, 15, 22, 37, 30, 18, 11, 6, 9, 14, 20, 16, 10, 5, 2}
	pts := make([]handlers.TrendPoint, len(counts))
	for i, c := range counts {
		pts[i] = handlers.TrendPoint{At: start.Add(time.Duration(i) * time.Hour), Count: c}
	}
	return pts
}

func TestTrendPNG(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		points    []handlers.TrendPoint
		wantScale TrendScale
		wantBars  bool
	}{
		{
			name:   "a day of hours",
			points: hourlyTrend(start),
			wantScale: TrendScale{
				Start: start, End: start.Add(24 * time.Hour), Interval: time.Hour,
				Max: 37, Peak: start.Add(12 * time.Hour), Total: 266, Step: 10, Top: 40,
			},
			wantBars: true,
		},
		{
			name: "unsorted, a gap, a duplicate, a negative",
			points: []handlers.TrendPoint{
				{At: start.Add(3 * 24 * time.Hour), Count: 4},
				{At: start, Count: 1},
				{At: start.Add(24 * time.Hour), Count: -2},
				{At: start, Count: 2},
			},
			wantScale: TrendScale{
				Start: start, End: start.Add(4 * 24 * time.Hour), Interval: 24 * time.Hour,
				Max: 4, Peak: start.Add(3 * 24 * time.Hour), Total: 7, Step: 1, Top: 4,
			},
			wantBars: true,
		},
		{
			name:   "one point",
			points: []handlers.TrendPoint{{At: start, Count: 120}},
			wantScale: TrendScale{
				Start: start, End: start.Add(time.Hour), Interval: time.Hour,
				Max: 120, Peak: start, Total: 120, Step: 50, Top: 150,
			},
			wantBars: true,
		},
		{
			name:   "all zero",
			points: []handlers.TrendPoint{{At: start, Count: 0}, {At: start.Add(time.Hour), Count: 0}},
			wantScale: TrendScale{
				Start: start, End: start.Add(2 * time.Hour), Interval: time.Hour, Peak: start, Step: 1, Top: 1,
			},
		},
		{name: "empty", wantScale: TrendScale{End: time.Time{}.Add(time.Hour), Interval: time.Hour, Step: 1, Top: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, scale, err := TrendPNG(tt.points, 600, 180)
			if err != nil {
				t.Fatal(err)
			}
			if scale != tt.wantScale {
				t.Errorf("scale\n got %+v\nwant %+v", scale, tt.wantScale)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, 600, 180) {
				t.Errorf("size %v, want 600×180", got)
			}
			if got := countColour(img, chartBar); (got > 0) != tt.wantBars {
				t.Errorf("%d bar pixels, want bars: %v", got, tt.wantBars)
			}
			if countColour(img, chartGrid) == 0 || countColour(img, chartAxis) == 0 {
				t.Error("no gridlines or no axes")
			}
			again, _, _ := TrendPNG(tt.points, 600, 180)
			if !bytes.Equal(b, again) {
				t.Error("the same points gave different PNG bytes")
			}
		})
	}
}

func TestTrendPNGBarHeightFollowsCount(t *testing.T) {
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	img, scale := DrawTrend([]handlers.TrendPoint{{At: start, Count: 1}, {At: start.Add(time.Hour), Count: 10}}, 400, 200)
	if scale.Top != 10 {
		t.Fatalf("top %d, want 10", scale.Top)
	}
	height := func(x int) int {
		n := 0
		for y := 0; y < 200; y++ {
			if img.ColorIndexAt(x, y) == chartBar {
				n++
			}
		}
		return n
	}
	small, tall := height(100), height(300)
	if small == 0 || tall < 8*small {
		t.Errorf("bar of 1 is %dpx, bar of 10 is %dpx: want both drawn, the second ~10× taller", small, tall)
	}
}

func TestTrendPNGTinyImage(t *testing.T) {
	if _, _, err := TrendPNG(hourlyTrend(time.Now()), 1, 1); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSampleChart writes the chart the email shows to a file for a person to look at:
// GROUPWATCH_SAMPLE_CHART=/tmp/trend.png go test ./sinks -run SampleChart
func TestWriteSampleChart(t *testing.T) {
	path := os.Getenv("GROUPWATCH_SAMPLE_CHART")
	if path == "" {
		t.Skip("GROUPWATCH_SAMPLE_CHART not set")
	}
	b, _, err := TrendPNG(hourlyTrend(time.Now().Truncate(time.Hour)), emailChartWidth, emailChartHeight)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func countColour(img image.Image, idx uint8) int {
	want := chartPalette[idx]
	wr, wg, wb, wa := want.RGBA()
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			if r == wr && g == wg && b == wb && a == wa {
				n++
			}
		}
	}
	return n
}
