package sinks

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"time"

	"groupwatch/handlers"
)

// TrendScale describes a drawn trend chart, for the caption beside it. The image holds no
// text at all, so no font or script can break in it; the words and numbers go next to it.
type TrendScale struct {
	// Start is the first interval's start and End the last interval's end.
	Start, End time.Time
	// Interval is the length of one bar: the smallest gap between two points, or an hour
	// when there is only one point.
	Interval time.Duration
	// Max is the largest count and Peak the start of the first interval that has it.
	Max  int
	Peak time.Time
	// Total is the sum of all counts.
	Total int
	// Step is the count between two horizontal gridlines and Top the count at the top one.
	Step, Top int
}

// Colours of the chart, as palette indexes.
const (
	chartBackground = iota
	chartPlot
	chartGrid
	chartAxis
	chartBar
)

var chartPalette = color.Palette{
	chartBackground: color.RGBA{0xff, 0xff, 0xff, 0xff},
	chartPlot:       color.RGBA{0xf8, 0xfa, 0xfc, 0xff},
	chartGrid:       color.RGBA{0xd5, 0xdd, 0xe8, 0xff},
	chartAxis:       color.RGBA{0x64, 0x74, 0x8b, 0xff},
	chartBar:        color.RGBA{0x25, 0x63, 0xeb, 0xff},
}

// DrawTrend draws points as a bar chart of width×height pixels: one bar per interval placed
// by its time (so a missing interval leaves a gap), horizontal gridlines every Step matches,
// a left axis and a baseline. Points need not be sorted; points at the same time are added
// up; negative counts count as zero. The same points always give the same picture.
func DrawTrend(points []handlers.TrendPoint, width, height int) (*image.Paletted, TrendScale) {
	img := image.NewPaletted(image.Rect(0, 0, max(width, 1), max(height, 1)), chartPalette)
	pts := mergeTrend(points)
	scale := trendScale(pts)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()

	line := max(1, h/180)       // thickness of gridlines, 2px on a 360px image
	pad := max(2, min(w, h)/24) // empty margin around the plot
	plot := image.Rect(pad, pad, w-pad, h-pad)
	if plot.Empty() {
		return img, scale
	}
	fill(img, plot, chartPlot)

	y := func(count int) int { // top of a bar of count
		return plot.Max.Y - count*plot.Dy()/scale.Top
	}
	for c := scale.Step; c <= scale.Top; c += scale.Step {
		fill(img, image.Rect(plot.Min.X, y(c), plot.Max.X, y(c)+line), chartGrid)
	}

	span := scale.End.Sub(scale.Start)
	x := func(t time.Time) int {
		return plot.Min.X + int(int64(t.Sub(scale.Start))*int64(plot.Dx())/int64(span))
	}
	for _, p := range pts {
		if p.Count <= 0 {
			continue
		}
		x0, x1 := x(p.At), x(p.At.Add(scale.Interval))
		gap := (x1 - x0) / 6
		top := min(y(p.Count), plot.Max.Y-3*line) // the smallest count still shows
		fill(img, image.Rect(x0+gap, top, max(x1-gap, x0+gap+1), plot.Max.Y), chartBar)
	}

	fill(img, image.Rect(plot.Min.X, plot.Min.Y, plot.Min.X+line, plot.Max.Y), chartAxis)
	fill(img, image.Rect(plot.Min.X, plot.Max.Y-line, plot.Max.X, plot.Max.Y+line), chartAxis)
	return img, scale
}

// TrendPNG is DrawTrend encoded as PNG.
func TrendPNG(points []handlers.TrendPoint, width, height int) ([]byte, TrendScale, error) {
	img, scale := DrawTrend(points, width, height)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, scale, err
	}
	return buf.Bytes(), scale, nil
}

// mergeTrend returns the points sorted by time, one per time, counts clamped at zero.
func mergeTrend(points []handlers.TrendPoint) []handlers.TrendPoint {
	pts := make([]handlers.TrendPoint, 0, len(points))
	for _, p := range points {
		pts = append(pts, handlers.TrendPoint{At: p.At, Count: max(p.Count, 0)})
	}
	slices.SortStableFunc(pts, func(a, b handlers.TrendPoint) int { return a.At.Compare(b.At) })
	merged := pts[:0]
	for _, p := range pts {
		if n := len(merged); n > 0 && merged[n-1].At.Equal(p.At) {
			merged[n-1].Count += p.Count
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// trendScale measures sorted, merged points.
func trendScale(pts []handlers.TrendPoint) TrendScale {
	s := TrendScale{Interval: time.Hour}
	if len(pts) == 0 {
		s.Step, s.Top = 1, 1
		s.End = s.Start.Add(s.Interval)
		return s
	}
	for i := 1; i < len(pts); i++ {
		if d := pts[i].At.Sub(pts[i-1].At); i == 1 || d < s.Interval {
			s.Interval = d
		}
	}
	s.Start, s.End = pts[0].At, pts[len(pts)-1].At.Add(s.Interval)
	for _, p := range pts {
		s.Total += p.Count
		if p.Count > s.Max {
			s.Max, s.Peak = p.Count, p.At
		}
	}
	if s.Max == 0 {
		s.Peak = pts[0].At
	}
	s.Step = niceStep(s.Max)
	s.Top = max(1, (s.Max+s.Step-1)/s.Step) * s.Step
	return s
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that cuts 0..max into at most
// five parts, so a reader can count gridlines.
func niceStep(maxCount int) int {
	for unit := 1; ; unit *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step := m * unit; step*5 >= maxCount {
				return step
			}
		}
	}
}

// fill paints r (clipped to the image) with one palette colour.
func fill(img *image.Paletted, r image.Rectangle, idx uint8) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = idx
		}
	}
}
