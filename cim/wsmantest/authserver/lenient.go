package authserver

import (
	"bytes"
	"encoding/binary"
	"mime"
	"strconv"

	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// decodeSealed splits a multipart/encrypted body. Beyond what
// sealed.Decode accepts, it tolerates one known client deviation:
// bodgit/ntlmssp's HTTP client declares OriginalContent's Length as the
// size of the whole payload (length prefix, signature and sealed bytes)
// instead of the plaintext's. When exactly that is the case, the body is
// decoded again with the true length; anything else stays an error.
func decodeSealed(contentType string, body []byte) (sig, sealedBytes []byte, originalType string, err error) {
	sig, sealedBytes, _, originalType, err = sealed.Decode(contentType, body)
	if err == nil {
		return sig, sealedBytes, originalType, nil
	}
	fixed, ok := fixPayloadLength(contentType, body)
	if !ok {
		return nil, nil, "", err
	}
	sig, sealedBytes, _, originalType, err2 := sealed.Decode(contentType, fixed)
	if err2 != nil {
		return nil, nil, "", err
	}
	return sig, sealedBytes, originalType, nil
}

// fixPayloadLength rewrites "Length=<payload size>" to the sealed size
// when the declared length equals the payload's.
func fixPayloadLength(contentType string, body []byte) ([]byte, bool) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, false
	}
	closing := []byte("--" + params["boundary"] + "--")
	octet := []byte("application/octet-stream\r\n")
	start := bytes.Index(body, octet)
	end := bytes.LastIndex(body, closing)
	if start < 0 || end < start+len(octet) {
		return nil, false
	}
	payload := body[start+len(octet) : end]
	if len(payload) < 4 {
		return nil, false
	}
	sigLen := uint64(binary.LittleEndian.Uint32(payload))
	if sigLen > uint64(len(payload)-4) {
		return nil, false
	}
	sealedLen := len(payload) - 4 - int(sigLen)
	declared := []byte("Length=" + strconv.Itoa(len(payload)) + "\r\n")
	i := bytes.Index(body[:start], declared)
	if i < 0 {
		return nil, false
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:i]...)
	out = append(out, "Length="+strconv.Itoa(sealedLen)+"\r\n"...)
	out = append(out, body[i+len(declared):]...)
	return out, true
}
