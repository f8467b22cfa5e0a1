package pipeline

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader reads JSON lines of any length without holding more than max bytes of one: a
// longer line is read to its end and reported as too long, so the lines after it are still
// read (bufio.Scanner would stop at it for good).
type lineReader struct {
	r   *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its end of line, and whether it was longer than max
// (then the line is empty). It returns io.EOF after the last line.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(chunk) > l.max+2 { // room for "\r\n"
				tooLong = true
				l.buf = l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && (len(chunk) > 0 || len(l.buf) > 0 || tooLong):
			return l.trim(tooLong)
		case err != nil:
			return nil, false, err
		}
		return l.trim(tooLong)
	}
}

func (l *lineReader) trim(tooLong bool) ([]byte, bool, error) {
	line := bytes.TrimSuffix(l.buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !tooLong && len(line) > l.max {
		return nil, true, nil
	}
	return line, tooLong, nil
}
