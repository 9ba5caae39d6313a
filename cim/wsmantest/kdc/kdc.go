// Package kdc runs a real MIT Kerberos KDC (Debian's krb5-kdc) on a random
// loopback port for tests: a throwaway realm with a user principal and an
// HTTP/localhost service principal whose keys are exported to a keytab.
//
// Everything lives in the test's temporary directory and listens on
// 127.0.0.1 only; the KDC process is stopped by t.Cleanup. When the MIT
// binaries are missing the test is skipped, or fails when the environment
// variable CIMSH_STRICT is 1 (as in CI).
package kdc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/internal/testenv"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// KDC is a running test KDC.
type KDC struct {
	Realm string
	// Dir is the temporary directory holding the database, configs,
	// keytab, log and credential caches.
	Dir string
	// Krb5Conf is the client configuration (KRB5_CONFIG); KDCConf the
	// KDC profile (KRB5_KDC_PROFILE).
	Krb5Conf string
	KDCConf  string
	// Addr is the KDC's 127.0.0.1:port (UDP and TCP).
	Addr string
	// User is the user principal's name without the realm; Password its
	// password (random per KDC).
	User     string
	Password string
	// SPN is the service principal name without the realm
	// ("HTTP/localhost"); Keytab holds its keys.
	SPN    string
	Keytab string

	bins map[string]string
	cmd  *exec.Cmd
	done chan struct{}
}

// binaries are the MIT programs the harness needs.
var binaries = []string{"krb5kdc", "kdb5_util", "kadmin.local", "kinit"}

// sbinDirs are searched after PATH: Debian installs the KDC programs in
// /usr/sbin, which is not on an ordinary user's PATH.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/sbin"}

// lookBinaries finds the MIT programs or names the first missing one.
func lookBinaries() (map[string]string, error) {
	found := make(map[string]string)
	for _, name := range binaries {
		p, err := exec.LookPath(name)
		if err != nil {
			for _, dir := range sbinDirs {
				cand := filepath.Join(dir, name)
				if st, serr := os.Stat(cand); serr == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
					p, err = cand, nil
					break
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("kdc: %s not found (install krb5-kdc, krb5-admin-server and krb5-user)", name)
		}
		found[name] = p
	}
	return found, nil
}

// skipOrFail skips the test, or fails it under CIMSH_STRICT=1.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	testenv.Missing(t, testenv.NoKDC, msg)
}

// Available reports whether the MIT KDC programs are installed.
func Available() error {
	_, err := lookBinaries()
	return err
}

// Start creates a realm (upper case, such as "CIMSH.TEST") and starts its
// KDC; the test skips (or fails under CIMSH_STRICT=1) when MIT Kerberos is
// not installed.
func Start(t testing.TB, realm string) *KDC {
	t.Helper()
	bins, err := lookBinaries()
	if err != nil {
		skipOrFail(t, err.Error())
	}
	if realm == "" {
		realm = "CIMSH.TEST"
	}
	k := &KDC{
		Realm:    strings.ToUpper(realm),
		Dir:      t.TempDir(),
		User:     "alice",
		Password: randomHex(t, 12),
		SPN:      "HTTP/localhost",
		bins:     bins,
	}
	k.Krb5Conf = filepath.Join(k.Dir, "krb5.conf")
	k.KDCConf = filepath.Join(k.Dir, "kdc.conf")
	k.Keytab = filepath.Join(k.Dir, "http.keytab")

	// The port is chosen by binding and releasing it; another process
	// could take it in between, so starting is retried on a new port.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("kdc: %v", err)
		}
		k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		k.writeConfigs(t, port)
		if attempt == 0 {
			k.createDatabase(t)
		}
		if lastErr = k.startDaemon(t); lastErr == nil {
			return k
		}
	}
	t.Fatalf("kdc: could not start krb5kdc: %v", lastErr)
	return nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("kdc: random: %v", err)
	}
	return "Pw-" + hex.EncodeToString(b)
}

// freePort returns a port free for both TCP and UDP on 127.0.0.1.
func freePort() (int, error) {
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("listen: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if err == nil {
			u.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free loopback port for TCP and UDP")
}

// writeConfigs writes kdc.conf and krb5.conf for port.
func (k *KDC) writeConfigs(t testing.TB, port int) {
	t.Helper()
	enctypes := "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"
	kdcConf := fmt.Sprintf(`[kdcdefaults]
	kdc_listen = 127.0.0.1:%[1]d
	kdc_tcp_listen = 127.0.0.1:%[1]d

[realms]
	%[2]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		max_life = 10h 0m 0s
		max_renewable_life = 1d 0h 0m 0s
		master_key_type = aes256-cts-hmac-sha1-96
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}

[logging]
	kdc = FILE:%[3]s/kdc.log
	admin_server = FILE:%[3]s/kadmin.log
	default = FILE:%[3]s/krb5.log
`, port, k.Realm, k.Dir)
	krb5Conf := fmt.Sprintf(`[libdefaults]
	default_realm = %[2]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	ticket_lifetime = 10h
	default_tkt_enctypes = %[4]s
	default_tgs_enctypes = %[4]s
	permitted_enctypes = %[4]s

[realms]
	%[2]s = {
		kdc = 127.0.0.1:%[1]d
	}

[domain_realm]
	localhost = %[2]s
	.localhost = %[2]s
	127.0.0.1 = %[2]s
`, port, k.Realm, k.Dir, enctypes)
	for path, text := range map[string]string{k.KDCConf: kdcConf, k.Krb5Conf: krb5Conf, filepath.Join(k.Dir, "kadm5.acl"): ""} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatalf("kdc: %v", err)
		}
	}
}

// Env returns the environment variables that point MIT tools (and
// gokrb5's config loader) at this realm.
func (k *KDC) Env() []string {
	return []string{"KRB5_CONFIG=" + k.Krb5Conf, "KRB5_KDC_PROFILE=" + k.KDCConf}
}

// run runs an MIT tool with the realm's environment. secrets are replaced
// by *** in any error, so a failing command never prints a password.
func (k *KDC) run(ctx context.Context, stdin string, secrets []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, k.bins[name], args...)
	cmd.Env = append(os.Environ(), k.Env()...)
	cmd.Dir = k.Dir
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	text := out.String()
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "***")
		}
	}
	if err != nil {
		return text, fmt.Errorf("kdc: %s: %w: %s", name, err, strings.TrimSpace(text))
	}
	return text, nil
}

func (k *KDC) kadmin(t testing.TB, query string, secrets ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The query goes through stdin, not argv, so a password in it is not
	// visible in the process list.
	out, err := k.run(ctx, query+"\n", secrets, "kadmin.local", "-r", k.Realm)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// requirePrincipal fails unless the database holds name (kadmin.local
// exits 0 even when a query from stdin failed).
func (k *KDC) requirePrincipal(t testing.TB, name string) {
	t.Helper()
	out := k.kadmin(t, "getprinc "+name)
	if !strings.Contains(out, "Principal: "+name+"@"+k.Realm) {
		t.Fatalf("kdc: principal %s missing after creation: %s", name, strings.TrimSpace(out))
	}
}

// createDatabase creates the realm, the user and the service principal
// and exports the service keys.
func (k *KDC) createDatabase(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	master := randomHex(t, 16)
	if _, err := k.run(ctx, "", []string{master}, "kdb5_util", "create", "-s", "-W", "-P", master,
		"-r", k.Realm, "-d", filepath.Join(k.Dir, "principal")); err != nil {
		t.Fatal(err)
	}
	k.AddUser(t, k.User, k.Password)
	k.kadmin(t, "addprinc -randkey "+k.SPN)
	k.requirePrincipal(t, k.SPN)
	k.kadmin(t, "ktadd -k "+k.Keytab+" "+k.SPN)
	if st, err := os.Stat(k.Keytab); err != nil || st.Size() == 0 {
		t.Fatalf("kdc: keytab %s not written: %v", k.Keytab, err)
	}
}

// AddUser adds another user principal with a password.
func (k *KDC) AddUser(t testing.TB, name, password string) {
	t.Helper()
	k.kadmin(t, fmt.Sprintf("addprinc -pw %s %s", password, name), password)
	k.requirePrincipal(t, name)
}

// startDaemon starts krb5kdc in the foreground and waits until it
// answers on TCP.
func (k *KDC) startDaemon(t testing.TB) error {
	t.Helper()
	cmd := exec.Command(k.bins["krb5kdc"], "-n", "-r", k.Realm, "-P", filepath.Join(k.Dir, "kdc.pid"))
	cmd.Env = append(os.Environ(), k.Env()...)
	cmd.Dir = k.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("krb5kdc exited: %s %s", strings.TrimSpace(out.String()), k.logTail())
		default:
		}
		c, err := net.DialTimeout("tcp", k.Addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("krb5kdc did not listen on %s: %s", k.Addr, k.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.cmd, k.done = cmd, done
	t.Cleanup(k.stop)
	return nil
}

// stop terminates the KDC, killing it if it does not exit promptly.
func (k *KDC) stop() {
	if k.cmd == nil || k.cmd.Process == nil {
		return
	}
	k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.done:
	case <-time.After(5 * time.Second):
		k.cmd.Process.Kill()
		<-k.done
	}
}

func (k *KDC) logTail() string {
	b, _ := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// UserPrincipal returns user@REALM.
func (k *KDC) UserPrincipal() string { return k.User + "@" + k.Realm }

// Kinit obtains a TGT for the user with MIT kinit and returns the
// credential cache path (use it as KRB5CCNAME).
func (k *KDC) Kinit(t testing.TB) string {
	t.Helper()
	ccache := filepath.Join(k.Dir, "ccache-"+k.User)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := k.run(ctx, k.Password+"\n", []string{k.Password}, "kinit", "-c", "FILE:"+ccache, k.UserPrincipal()); err != nil {
		t.Fatal(err)
	}
	return ccache
}

// Config loads the realm's krb5.conf for gokrb5.
func (k *KDC) Config() (*config.Config, error) {
	c, err := config.Load(k.Krb5Conf)
	if err != nil {
		return nil, fmt.Errorf("kdc: load %s: %w", k.Krb5Conf, err)
	}
	return c, nil
}

// ServiceKeytab loads the service principal's keytab for gokrb5.
func (k *KDC) ServiceKeytab() (*keytab.Keytab, error) {
	kt, err := keytab.Load(k.Keytab)
	if err != nil {
		return nil, fmt.Errorf("kdc: load %s: %w", k.Keytab, err)
	}
	return kt, nil
}

// String describes the KDC without its password, so printing it (%v,
// %+v) never reveals one.
func (k *KDC) String() string {
	return fmt.Sprintf("kdc.KDC{Realm: %s, Addr: %s, User: %s, SPN: %s, Dir: %s}", k.Realm, k.Addr, k.User, k.SPN, k.Dir)
}
