package ntlmserver

import (
	"crypto/des"
	"crypto/rc4"

	"golang.org/x/crypto/md4"
)

func md4Of(b []byte) []byte {
	h := md4.New()
	h.Write(b)
	return h.Sum(nil)
}

// rc4K encrypts data with a one-shot RC4 key (RC4K in MS-NLMP 6).
func rc4K(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil { // only for key lengths outside 1..256, never here
		return nil
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// desKey spreads 7 key bytes over the 8 bytes DES expects (the low bit of
// each byte is parity, which crypto/des ignores).
func desKey(b []byte) []byte {
	return []byte{
		b[0],
		b[0]<<7 | b[1]>>1,
		b[1]<<6 | b[2]>>2,
		b[2]<<5 | b[3]>>3,
		b[3]<<4 | b[4]>>4,
		b[4]<<3 | b[5]>>5,
		b[5]<<2 | b[6]>>6,
		b[6] << 1,
	}
}

// desEncrypt encrypts one 8-byte block with a 7-byte key.
func desEncrypt(key7, block []byte) []byte {
	c, err := des.NewCipher(desKey(key7))
	if err != nil { // the key is always 8 bytes
		return nil
	}
	out := make([]byte, 8)
	c.Encrypt(out, block)
	return out
}

// desl is DESL(K, D) of MS-NLMP 6: three DES encryptions of the 8-byte D
// under a 16-byte K split into 7-byte keys (the last one zero padded).
func desl(k, d []byte) []byte {
	k3 := append(append([]byte{}, k[14:16]...), 0, 0, 0, 0, 0)
	out := make([]byte, 0, 24)
	out = append(out, desEncrypt(k[0:7], d)...)
	out = append(out, desEncrypt(k[7:14], d)...)
	return append(out, desEncrypt(k3, d)...)
}
