package krb5gss

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Credentials say how a client logs in: with a keytab, a password, or
// (with neither) the user's ticket cache.
type Credentials struct {
	// User is "user" or "user@REALM".
	User string
	// Realm, when set, wins over User's; then Domain; then krb5.conf's
	// default realm. Realms are upper-cased.
	Realm, Domain string
	Password      string
	// Keytab is a keytab file ("FILE:" prefix allowed).
	Keytab string
	// CCache is the ticket cache's name: empty for $KRB5CCNAME, then
	// MIT's default /tmp/krb5cc_UID. Only FILE: caches can be read.
	CCache string
	// Krb5Conf is krb5.conf's path: empty for $KRB5_CONFIG (its first
	// file), then /etc/krb5.conf.
	Krb5Conf string
}

// SetupKind says what failed while setting up a client.
type SetupKind int

// What can fail before any Kerberos token is made.
const (
	// NoTicketCache: no password or keytab, and no ticket cache file.
	NoTicketCache       SetupKind = iota + 1
	BadConfig                     // krb5.conf cannot be read
	BadKeytab                     // the keytab cannot be read
	CacheNotFile                  // the ticket cache is not a file (KEYRING:, KCM:)
	BadTicketCache                // the ticket cache cannot be read
	UnusableTicketCache           // the ticket cache holds no usable TGT
	WrongPassword                 // the KDC refused the password or key
	UnknownPrincipal              // the KDC does not know the user
	KDCUnreachable                // no KDC answered
	LoginFailed                   // any other failure of the AS exchange
)

// SetupError is a failure to set up a Kerberos client, for the caller
// to word in its own terms; gokrb5's own message (in Err) is a chain of
// internal error names.
type SetupError struct {
	Kind SetupKind
	// Path is the file concerned: krb5.conf as read (Setting as
	// configured, possibly a list), the keytab, or the ticket cache
	// (its configured name for CacheNotFile).
	Path, Setting string
	// Principal is user@REALM, for the login failures.
	Principal string
	Err       error
}

func (e *SetupError) Error() string {
	var what string
	switch e.Kind {
	case NoTicketCache, BadTicketCache, UnusableTicketCache:
		what = "credential cache " + e.Path
	case CacheNotFile:
		return fmt.Sprintf("credential cache %q: only FILE: caches are supported", e.Path)
	case BadConfig:
		what = "krb5.conf " + e.Setting
	case BadKeytab:
		what = "keytab"
	default:
		what = "login as " + e.Principal
	}
	return what + ": " + e.Err.Error()
}

func (e *SetupError) Unwrap() error { return e.Err }

// NewClient sets up a client from cr: it reads krb5.conf, resolves the
// realm, and logs in with the keytab or the password (an AS exchange),
// or takes the TGT from the ticket cache. Failures are *SetupError.
func NewClient(cr Credentials) (*client.Client, error) {
	if cr.Keytab == "" && cr.Password == "" {
		// No password: the user's own ticket. Without one, that is what
		// to say, rather than which other file is missing.
		if path := CCachePath(cr.CCache); path != "" {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, &SetupError{Kind: NoTicketCache, Path: path, Err: err}
			}
		}
	}
	setting := cr.Krb5Conf
	if setting == "" {
		setting = os.Getenv("KRB5_CONFIG")
	}
	if setting == "" {
		setting = "/etc/krb5.conf"
	}
	confPath := strings.SplitN(setting, ":", 2)[0]
	kc, err := loadConfig(confPath)
	if err != nil {
		return nil, &SetupError{Kind: BadConfig, Path: confPath, Setting: setting, Err: err}
	}
	user, realm := cr.User, cr.Realm
	if u, r, ok := strings.Cut(user, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	}
	if realm == "" {
		realm = cr.Domain
	}
	if realm == "" {
		realm = kc.LibDefaults.DefaultRealm
	}
	realm = strings.ToUpper(realm)
	var cl *client.Client
	switch {
	case cr.Keytab != "":
		path := strings.TrimPrefix(cr.Keytab, "FILE:")
		kt, err := keytab.Load(path)
		if err != nil {
			return nil, &SetupError{Kind: BadKeytab, Path: path, Err: err}
		}
		cl = client.NewWithKeytab(user, realm, kt, kc, client.DisablePAFXFAST(true))
	case cr.Password != "":
		cl = client.NewWithPassword(user, realm, cr.Password, kc, client.DisablePAFXFAST(true))
	default:
		path := CCachePath(cr.CCache)
		if path == "" {
			return nil, &SetupError{Kind: CacheNotFile, Path: CCacheName(cr.CCache)}
		}
		cc, err := credentials.LoadCCache(path)
		if err != nil {
			return nil, &SetupError{Kind: BadTicketCache, Path: path, Err: err}
		}
		if cl, err = client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true)); err != nil {
			return nil, &SetupError{Kind: UnusableTicketCache, Path: path, Err: err}
		}
		return cl, nil
	}
	if err := cl.Login(); err != nil {
		return nil, &SetupError{Kind: loginKind(err), Principal: user + "@" + realm, Err: err}
	}
	return cl, nil
}

// loadConfig reads krb5.conf; gokrb5's parser panics on some valid
// files (a realm's block on one line), which must not take cimsh down.
func loadConfig(path string) (kc *config.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			kc, err = nil, errors.New("cannot parse this file (gokrb5 reads only one entry a line)")
		}
	}()
	return config.Load(path)
}

// loginKind reads what went wrong from gokrb5's error text, which is all
// it offers.
func loginKind(err error) SetupKind {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Decrypting_Error"), strings.Contains(msg, "PREAUTH_FAILED"):
		return WrongPassword
	case strings.Contains(msg, "C_PRINCIPAL_UNKNOWN"):
		return UnknownPrincipal
	case strings.Contains(msg, "Networking_Error"), strings.Contains(msg, "could not get"):
		return KDCUnreachable
	}
	return LoginFailed
}

// CCacheName is the ticket cache's name: the configured one,
// $KRB5CCNAME, or MIT's default /tmp/krb5cc_UID.
func CCacheName(configured string) string {
	if configured != "" {
		return configured
	}
	if v := os.Getenv("KRB5CCNAME"); v != "" {
		return v
	}
	return "/tmp/krb5cc_" + strconv.Itoa(os.Getuid())
}

// CCachePath is the file of the ticket cache, or "" for a cache that is
// not a file (KEYRING:, KCM:, which gokrb5 cannot read).
func CCachePath(configured string) string {
	name := CCacheName(configured)
	if p, ok := strings.CutPrefix(name, "FILE:"); ok {
		return p
	}
	if i := strings.Index(name, ":"); i > 0 && !strings.HasPrefix(name, "/") {
		return ""
	}
	return name
}

// Aside runs f, which talks to a KDC without a context (gokrb5 takes
// none), on a goroutine of its own: ctx only stops the wait, and f's
// result is then dropped.
func Aside[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
