package pipeline

// compareBounds orders two replay bounds: stream ids, "-" (before every id) and "+" (after
// every id).
func compareBounds(a, b string) int {
	rank := func(id string) int {
		switch id {
		case "-":
			return -1
		case "+":
			return 1
		}
		return 0
	}
	ra, rb := rank(a), rank(b)
	if ra != 0 || rb != 0 {
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	}
	return compareIDs(a, b)
}
