// Package e2e holds cimsh's end-to-end tests: every operation, every
// authentication scheme, the request counts the design promises and the
// fault recoveries, driven through the public cim.Session API over real
// HTTP(S) on 127.0.0.1 against the project's WS-Man test server
// (cim/wsmantest) in both of its dialects (Windows and OMI), a real MIT
// KDC (cim/wsmantest/kdc) and, as an independent client, Debian's pywinrm.
//
// The package has no code of its own. The tests are grouped by topic:
//
//	ops_test.go          every operation, both dialects
//	auth_test.go         Basic (HTTP, HTTPS), NTLM sealed, certificates, wrong passwords
//	kerberos_test.go     Kerberos with password, ticket cache, keytab; HTTPS, no_encryption, sealed
//	counted_test.go      request, connection and handshake counts; redial; no resend; Release
//	faults_test.go       typed faults and their recoveries
//	fanout_test.go       cim.Each over several servers, one of them down
//	pywinrm_test.go      pywinrm against the same server, compared with cim.Session
//	replay_test.go       captured Windows replies ($CIMSH_FIXTURES) served byte for byte
//	quirks_test.go, refs_test.go, options_test.go, ...  quirks, escaping, references, options
//
// Run it with
//
//	CIMSH_FIXTURES=/work/shared/fixtures/wsman CIMSH_STRICT=1 go test -race ./cim/e2e
//
// Tests that need something the machine may lack (krb5kdc, pywinrm, the
// fixtures) skip with a message, and fail instead when CIMSH_STRICT=1, as
// in CI.
package e2e
