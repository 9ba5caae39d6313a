package dcomtest_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// kerberosRealm starts an MIT KDC with a host/localhost service
// principal and returns it with a keytab of that principal's keys.
func kerberosRealm(t *testing.T) (*kdc.KDC, *keytab.Keytab) {
	t.Helper()
	k := kdc.Start(t, "")
	b := make([]byte, 12)
	rand.Read(b)
	pw := "Svc-" + hex.EncodeToString(b)
	k.AddUser(t, "host/localhost", pw)
	kt := keytab.New()
	for _, et := range []int32{17, 18} {
		if err := kt.AddEntry("host/localhost", k.Realm, pw, time.Now(), 1, et); err != nil {
			t.Fatal(err)
		}
	}
	return k, kt
}
