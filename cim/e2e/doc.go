// Package e2e holds cimsh's end-to-end tests: every operation, every
// authentication scheme, the request counts the design promises and the
// fault recoveries, driven through the public cim.Session API over real
// HTTP(S) on 127.0.0.1 against the project's WS-Man test server
// (cim/wsmantest) in both of its dialects, a real MIT KDC
// (cim/wsmantest/kdc) and, as an independent client, Debian's pywinrm.
//
// The package has no code of its own; run it with
//
//	CIMSH_FIXTURES=/work/shared/fixtures/wsman CIMSH_STRICT=1 go test -race ./cim/e2e
//
// Tests that need something the machine may lack (krb5kdc, pywinrm) skip
// with a message, and fail instead when CIMSH_STRICT=1, as in CI.
package e2e
