package wsman

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// toUTF8 transcodes a UTF-16 body (recognized by its byte order mark, as
// Windows sends it when asked for charset=UTF-16) to UTF-8; other bodies
// are returned as they are (a UTF-8 BOM is dropped).
func toUTF8(body []byte) []byte {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return body[3:]
	case len(body) >= 2 && (body[0] == 0xFF && body[1] == 0xFE || body[0] == 0xFE && body[1] == 0xFF):
		little := body[0] == 0xFF
		units := make([]uint16, 0, len(body)/2)
		for i := 2; i+1 < len(body); i += 2 {
			if little {
				units = append(units, uint16(body[i])|uint16(body[i+1])<<8)
			} else {
				units = append(units, uint16(body[i])<<8|uint16(body[i+1]))
			}
		}
		out := make([]byte, 0, len(units)+len(units)/4)
		for _, r := range utf16.Decode(units) {
			out = utf8.AppendRune(out, r)
		}
		return out
	}
	return body
}

// charsetReader lets the decoder accept the encoding declarations servers
// write: UTF-8 and UTF-16 (already transcoded by toUTF8), ASCII, and
// ISO-8859-1 / Windows-1252 (mapped byte for byte to Unicode).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("wsman: unsupported XML encoding %q", label)
}
