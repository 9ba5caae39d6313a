package cim

import (
	"fmt"
	"strings"
)

// Credential is a user name and password. The password is held
// unexported and never appears in String, %v, %#v or errors.
type Credential struct {
	user     string // as given: "user", "DOMAIN\user" or "user@realm"
	password string
}

// NewCredential returns a credential for user with password.
func NewCredential(user, password string) *Credential {
	return &Credential{user: user, password: password}
}

// User returns the user name as given.
func (c *Credential) User() string { return c.user }

// Password returns the password. Callers must not print it.
func (c *Credential) Password() string { return c.password }

// HasPassword reports whether a non-empty password is set.
func (c *Credential) HasPassword() bool { return c.password != "" }

// SplitUser returns the domain and the bare user name: "DOM\user" gives
// ("DOM", "user"), "user@realm" gives ("realm", "user"), "user" gives
// ("", "user").
func (c *Credential) SplitUser() (domain, user string) {
	if i := strings.IndexByte(c.user, '\\'); i >= 0 {
		return c.user[:i], c.user[i+1:]
	}
	if i := strings.LastIndexByte(c.user, '@'); i >= 0 {
		return c.user[i+1:], c.user[:i]
	}
	return "", c.user
}

// String describes the credential without its password.
func (c *Credential) String() string { return fmt.Sprintf("Credential(%s)", c.user) }

// GoString keeps %#v from printing the password.
func (c *Credential) GoString() string { return c.String() }

// Format keeps every fmt verb from printing the password.
func (c *Credential) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }
