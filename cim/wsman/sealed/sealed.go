package sealed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// The protocol values of the multipart/encrypted content type.
const (
	// ProtocolSPNEGO is used when the security context came from
	// Negotiate (NTLM or Kerberos inside SPNEGO).
	ProtocolSPNEGO = "application/HTTP-SPNEGO-session-encrypted"
	// ProtocolKerberos is used when the client authenticated with the
	// Kerberos scheme directly.
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted"
)

// Boundary is the delimiter MS-WSMV requires.
const Boundary = "Encrypted Boundary"

// MediaType is the media type of an encrypted body.
const MediaType = "multipart/encrypted"

// OriginalType is the content type Encode records for the plaintext.
const OriginalType = "application/soap+xml;charset=UTF-8"

// maxOriginalLen bounds the declared plaintext length: far above any
// envelope a WS-Man server accepts, low enough that int never overflows.
const maxOriginalLen = 1 << 30

// ErrMalformed is wrapped by every Decode error about the body's shape.
var ErrMalformed = errors.New("sealed: malformed encrypted body")

// ContentType returns the Content-Type header of an encrypted body for
// protocol (ProtocolSPNEGO or ProtocolKerberos).
func ContentType(protocol string) string {
	return MediaType + `;protocol="` + protocol + `";boundary="` + Boundary + `"`
}

// IsEncrypted reports whether a Content-Type header announces a
// multipart/encrypted body.
func IsEncrypted(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == MediaType
}

// Encode frames a sealed message: sig is the security header (NTLM
// signature or Kerberos wrap token), sealed the encrypted payload, and
// originalLen the plaintext length. The layout (MS-WSMV 2.2.9.1.1.2) is
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: <protocol>\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<n>\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<uint32 LE len(sig)><sig><sealed>--Encrypted Boundary--\r\n
func Encode(protocol string, sig, sealed []byte, originalLen int) (body []byte, contentType string) {
	var b bytes.Buffer
	b.Grow(len(sig) + len(sealed) + 256)
	b.WriteString("--" + Boundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=" + OriginalType + ";Length=" + strconv.Itoa(originalLen) + "\r\n")
	b.WriteString("--" + Boundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(sig)))
	b.Write(n[:])
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + Boundary + "--\r\n")
	return b.Bytes(), ContentType(protocol)
}

// Decode splits an encrypted body into the security header, the sealed
// bytes, the declared plaintext length and type (such as
// "application/soap+xml;charset=UTF-8"). It accepts the header lines with
// or without their leading tab and an optional CRLF before the closing
// boundary; anything else that does not match the layout is an error
// wrapping ErrMalformed. The returned slices alias body.
func Decode(contentType string, body []byte) (sig, sealed []byte, originalLen int, originalType string, err error) {
	mt, params, perr := mime.ParseMediaType(contentType)
	if perr != nil {
		return nil, nil, 0, "", fmt.Errorf("%w: content type %q: %v", ErrMalformed, contentType, perr)
	}
	if mt != MediaType {
		return nil, nil, 0, "", fmt.Errorf("%w: content type %q is not %s", ErrMalformed, mt, MediaType)
	}
	protocol, boundary := params["protocol"], params["boundary"]
	if protocol == "" || boundary == "" {
		return nil, nil, 0, "", fmt.Errorf("%w: content type %q lacks protocol or boundary", ErrMalformed, contentType)
	}
	delim := []byte("--" + boundary)

	rest, ok := bytes.CutPrefix(body, append(delim, '\r', '\n'))
	if !ok {
		return nil, nil, 0, "", fmt.Errorf("%w: body does not start with the boundary", ErrMalformed)
	}
	// First part: metadata header lines up to the next delimiter line.
	meta, rest, ok := bytes.Cut(rest, append(delim, '\r', '\n'))
	if !ok {
		return nil, nil, 0, "", fmt.Errorf("%w: no second part", ErrMalformed)
	}
	partType, original, err := parseMeta(meta)
	if err != nil {
		return nil, nil, 0, "", err
	}
	if !strings.EqualFold(partType, protocol) {
		return nil, nil, 0, "", fmt.Errorf("%w: first part is %q, protocol is %q", ErrMalformed, partType, protocol)
	}
	originalLen, originalType, err = parseOriginal(original)
	if err != nil {
		return nil, nil, 0, "", err
	}

	// Second part: one header line, then the binary payload.
	line, payload, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok {
		return nil, nil, 0, "", fmt.Errorf("%w: second part has no header", ErrMalformed)
	}
	name, value, ok := headerLine(line)
	if !ok || !strings.EqualFold(name, "Content-Type") || !strings.EqualFold(value, "application/octet-stream") {
		return nil, nil, 0, "", fmt.Errorf("%w: second part header %q is not Content-Type: application/octet-stream", ErrMalformed, line)
	}
	if len(payload) < 4 {
		return nil, nil, 0, "", fmt.Errorf("%w: payload of %d bytes has no signature length", ErrMalformed, len(payload))
	}
	sigLen := binary.LittleEndian.Uint32(payload)
	payload = payload[4:]
	if uint64(sigLen) > uint64(len(payload)) {
		return nil, nil, 0, "", fmt.Errorf("%w: signature length %d exceeds the %d bytes left", ErrMalformed, sigLen, len(payload))
	}
	sig, payload = payload[:sigLen], payload[sigLen:]
	// The sealed bytes have exactly the plaintext length (RC4 for NTLM,
	// the RFC 4121 wrap token's header split off for Kerberos).
	if len(payload) < originalLen {
		return nil, nil, 0, "", fmt.Errorf("%w: %d sealed bytes, %d declared", ErrMalformed, len(payload), originalLen)
	}
	sealed, trailer := payload[:originalLen], payload[originalLen:]
	trailer = bytes.TrimPrefix(trailer, []byte("\r\n"))
	trailer, ok = bytes.CutPrefix(trailer, append(delim, '-', '-'))
	if !ok {
		return nil, nil, 0, "", fmt.Errorf("%w: no closing boundary after %d sealed bytes", ErrMalformed, originalLen)
	}
	if len(bytes.TrimSpace(trailer)) != 0 {
		return nil, nil, 0, "", fmt.Errorf("%w: %d bytes after the closing boundary", ErrMalformed, len(trailer))
	}
	return sig, sealed, originalLen, originalType, nil
}

// parseMeta reads the first part's Content-Type and OriginalContent lines.
func parseMeta(meta []byte) (partType, original string, err error) {
	for _, line := range bytes.Split(meta, []byte("\r\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		name, value, ok := headerLine(line)
		if !ok {
			return "", "", fmt.Errorf("%w: header line %q", ErrMalformed, line)
		}
		switch strings.ToLower(name) {
		case "content-type":
			partType = value
		case "originalcontent":
			original = value
		}
	}
	if partType == "" || original == "" {
		return "", "", fmt.Errorf("%w: first part lacks Content-Type or OriginalContent", ErrMalformed)
	}
	return partType, original, nil
}

// headerLine splits "\tName: value" (the tab is optional).
func headerLine(line []byte) (name, value string, ok bool) {
	s := strings.TrimLeft(string(line), "\t ")
	name, value, ok = strings.Cut(s, ":")
	return strings.TrimSpace(name), strings.TrimSpace(value), ok && name != ""
}

// parseOriginal reads "type=application/soap+xml;charset=UTF-8;Length=3240".
func parseOriginal(s string) (n int, typ string, err error) {
	var charset string
	haveLen := false
	for _, field := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			typ = strings.TrimSpace(v)
		case "charset":
			charset = strings.TrimSpace(v)
		case "length":
			n, err = strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 || n > maxOriginalLen {
				return 0, "", fmt.Errorf("%w: OriginalContent length %q", ErrMalformed, v)
			}
			haveLen = true
		}
	}
	if !haveLen || typ == "" {
		return 0, "", fmt.Errorf("%w: OriginalContent %q lacks type or Length", ErrMalformed, s)
	}
	if charset != "" {
		typ += ";charset=" + charset
	}
	return n, typ, nil
}
