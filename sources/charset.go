package sources

import (
	"bytes"
	"fmt"
	"mime"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how far into a body a <meta charset> is looked for. Browsers look at the
// first 1024 bytes; forums that put scripts and styles first often declare it later.
const metaScanLimit = 16 << 10

// ToUTF8 decodes a page's body to UTF-8 and says which encoding it was read as. The
// encoding is the first of: a byte-order mark, the Content-Type header's charset, a
// <meta charset> or <meta http-equiv="Content-Type"> near the start, and detection (UTF-8
// when the bytes are valid UTF-8, else the Chinese encoding whose reading gives the most
// common characters, else windows-1252).
//
// A BOM goes before the header, as the WHATWG encoding standard and every browser have it:
// it is in the bytes themselves, while a server's default charset is often wrong. A body
// that is not a page at all (empty, gzip, binary) is returned as it is, so that the parser
// still says what is wrong with it.
func ToUTF8(body []byte, contentType string) ([]byte, string, error) {
	if checkBody(body) != nil {
		return body, "", nil
	}
	enc, name := pageEncoding(body, contentType)
	if enc == nil || name == "utf-8" {
		return bytes.TrimPrefix(body, utf8BOM), "utf-8", nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, name, fmt.Errorf("cannot decode the page as %s: %w", name, err)
	}
	return out, name, nil
}

// CharsetContentType is the Content-Type that makes ToUTF8 read a body as label (for a
// saved page whose charset the user knows); empty for an empty label.
func CharsetContentType(label string) (string, error) {
	if strings.TrimSpace(label) == "" {
		return "", nil
	}
	if e, _ := charset.Lookup(label); e == nil {
		return "", fmt.Errorf("unknown charset %q: want a WHATWG label such as utf-8, big5, big5-hkscs, gbk, gb18030", label)
	}
	return "text/html; charset=" + strings.TrimSpace(label), nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func pageEncoding(body []byte, contentType string) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(body, utf8BOM):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	if e, name := headerCharset(contentType); e != nil {
		return e, name
	}
	if e, name := metaCharset(body[:min(len(body), metaScanLimit)]); e != nil {
		return e, name
	}
	return detectEncoding(body)
}

// headerCharset is the encoding a Content-Type names; nil for none or an unknown label (the
// page's own declaration or detection then decide).
func headerCharset(contentType string) (encoding.Encoding, string) {
	if contentType == "" {
		return nil, ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, ""
	}
	return lookupCharset(params["charset"])
}

// lookupCharset finds a WHATWG label. A page cannot declare itself UTF-16 in ASCII bytes:
// HTML reads such a declaration as UTF-8.
func lookupCharset(label string) (encoding.Encoding, string) {
	if label == "" {
		return nil, ""
	}
	e, name := charset.Lookup(label)
	if e == nil {
		return nil, ""
	}
	if strings.HasPrefix(name, "utf-16") {
		return unicode.UTF8, "utf-8"
	}
	return e, name
}

// metaCharset reads the charset a page declares in its head: <meta charset> or
// <meta http-equiv="Content-Type" content="…; charset=…">. It stops at <body>.
func metaCharset(head []byte) (encoding.Encoding, string) {
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return nil, ""
			case "meta":
			default:
				continue
			}
			var cs, content string
			httpEquiv := false
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "charset":
					cs = string(v)
				case "content":
					content = string(v)
				case "http-equiv":
					httpEquiv = strings.EqualFold(string(v), "content-type")
				}
			}
			if cs == "" && httpEquiv {
				cs = charsetFromContent(content)
			}
			if e, n := lookupCharset(cs); e != nil {
				return e, n
			}
		}
	}
}

// charsetFromContent reads "text/html; charset=big5" as HTML does: leniently, quotes or not.
func charsetFromContent(content string) string {
	i := strings.Index(strings.ToLower(content), "charset")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(content[i+len("charset"):], " \t")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return ""
	}
	rest = strings.Trim(strings.TrimSpace(rest), `"'`)
	if j := strings.IndexAny(rest, `;"' `); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// windows1252 is the fallback of browsers in the West for undeclared non-UTF-8 pages.
var windows1252 = charmap.Windows1252

// utf8Parser decodes every response to UTF-8 (ToUTF8) before its parser reads it: the html
// and Facebook parsers read bytes as UTF-8.
type utf8Parser struct{ Parser }

func (p utf8Parser) Parse(r Response) (Page, error) {
	body, _, err := ToUTF8(r.Body, r.ContentType)
	if err != nil {
		return Page{}, err
	}
	r.Body = body
	return p.Parser.Parse(r)
}

// decoding wraps a new parser in utf8Parser.
func decoding[P Parser](p P, err error) (Parser, error) {
	if err != nil {
		return nil, err
	}
	return utf8Parser{p}, nil
}

// feedCharset leaves a feed that declares its encoding (<?xml … encoding="big5"?>) to the
// XML decoder, which honours it; an undeclared one is decoded by the header's charset, if
// any. Decoding a declared one too would have the declaration misread the UTF-8 result.
type feedCharset struct{ Parser }

func (p feedCharset) Parse(r Response) (Page, error) {
	if !declaresXMLEncoding(r.Body) {
		if e, name := headerCharset(r.ContentType); e != nil && name != "utf-8" {
			body, err := e.NewDecoder().Bytes(r.Body)
			if err != nil {
				return Page{}, fmt.Errorf("cannot decode the feed as %s: %w", name, err)
			}
			r.Body = body
		}
	}
	return p.Parser.Parse(r)
}

// declaresXMLEncoding says the body starts with an XML declaration naming an encoding.
func declaresXMLEncoding(body []byte) bool {
	head := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return false
	}
	end := bytes.Index(head, []byte("?>"))
	return end > 0 && bytes.Contains(head[:end], []byte("encoding"))
}
