package winrs

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// DefaultCodepage is UTF-8, the code page shells are created with
// unless the caller asks for another.
const DefaultCodepage = 65001

// codepages maps the Windows code pages a console can use to their
// decoders; 65001 (UTF-8) needs none.
var codepages = map[int]encoding.Encoding{
	437: charmap.CodePage437, 850: charmap.CodePage850, 852: charmap.CodePage852,
	855: charmap.CodePage855, 858: charmap.CodePage858, 860: charmap.CodePage860,
	862: charmap.CodePage862, 863: charmap.CodePage863, 865: charmap.CodePage865,
	866: charmap.CodePage866, 874: charmap.Windows874,
	1250: charmap.Windows1250, 1251: charmap.Windows1251, 1252: charmap.Windows1252,
	1253: charmap.Windows1253, 1254: charmap.Windows1254, 1255: charmap.Windows1255,
	1256: charmap.Windows1256, 1257: charmap.Windows1257, 1258: charmap.Windows1258,
	932: japanese.ShiftJIS, 936: simplifiedchinese.GBK, 949: korean.EUCKR,
	950: traditionalchinese.Big5, 54936: simplifiedchinese.GB18030,
	20866: charmap.KOI8R, 21866: charmap.KOI8U,
	28591: charmap.ISO8859_1, 28592: charmap.ISO8859_2, 28593: charmap.ISO8859_3,
	28594: charmap.ISO8859_4, 28595: charmap.ISO8859_5, 28596: charmap.ISO8859_6,
	28597: charmap.ISO8859_7, 28598: charmap.ISO8859_8, 28599: charmap.ISO8859_9,
	28603: charmap.ISO8859_13, 28605: charmap.ISO8859_15,
}

// CheckCodepage reports whether output in code page cp can be read.
func CheckCodepage(cp int) error {
	if cp == DefaultCodepage {
		return nil
	}
	if _, ok := codepages[cp]; ok {
		return nil
	}
	known := make([]int, 0, len(codepages)+1)
	for k := range codepages {
		known = append(known, k)
	}
	known = append(known, DefaultCodepage)
	sort.Ints(known)
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = strconv.Itoa(k)
	}
	return fmt.Errorf("codepage %d is not supported (supported: %s)", cp, strings.Join(names, ", "))
}

// textDecoder converts one stream from its code page to UTF-8 as it
// arrives, holding back the bytes of a character split between two
// pieces.
type textDecoder struct {
	t       transform.Transformer // nil: UTF-8, passed through
	pending []byte
}

func newTextDecoder(cp int) *textDecoder {
	if enc, ok := codepages[cp]; ok {
		return &textDecoder{t: enc.NewDecoder()}
	}
	return &textDecoder{}
}

// Write converts p (with what was held back) and returns the text.
func (d *textDecoder) Write(p []byte) []byte {
	if d.t == nil {
		return p
	}
	return d.convert(append(d.pending, p...), false)
}

// Close converts what is held back.
func (d *textDecoder) Close() []byte {
	if d.t == nil || len(d.pending) == 0 {
		return nil
	}
	return d.convert(d.pending, true)
}

func (d *textDecoder) convert(src []byte, atEOF bool) []byte {
	out := make([]byte, 0, len(src)*2+8)
	dst := make([]byte, 4096)
	for {
		nDst, nSrc, err := d.t.Transform(dst, src, atEOF)
		out = append(out, dst[:nDst]...)
		src = src[nSrc:]
		switch {
		case errors.Is(err, transform.ErrShortDst):
			continue
		case errors.Is(err, transform.ErrShortSrc):
			d.pending = append(d.pending[:0:0], src...)
			return out
		case err != nil:
			// The x/text decoders replace bad bytes rather than fail;
			// anything else is passed on as it came.
			out = append(out, src...)
		}
		d.pending = nil
		return out
	}
}
