package local

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Domain membership, for Win32_ComputerSystem's Domain, Workgroup and
// PartOfDomain. A Linux host joins an Active Directory (or FreeIPA) domain
// through sssd or Samba's winbind, which realmd and adcli configure; what
// they were configured with is read from their files:
//
//   - /etc/sssd/sssd.conf: the domains of [sssd] "domains", each joined
//     when its [domain/NAME] section has id_provider ad or ipa (the domain
//     is ad_domain, ipa_domain or NAME);
//   - /etc/samba/smb.conf: [global] "security = ads" (the domain is the
//     realm, in lower case) or "security = domain" (the workgroup), or a
//     "server role" of a member server or domain controller; otherwise the
//     host is in the workgroup "workgroup" names (Samba's default
//     WORKGROUP when unset).
//
// sssd.conf is readable by root only: when it exists and cannot be read,
// membership cannot be told and the properties stay NULL unless Samba
// says the host is joined.

// membership is what the host's configuration says of its domain.
type membership struct {
	known     bool   // false: the configuration could not be read
	joined    bool   // a member of a domain
	domain    string // the domain joined
	workgroup string // the workgroup, when not joined and Samba names one
}

func readMembership(root string) membership {
	sssd, sssdErr := readINI(filepath.Join(root, "/etc/sssd/sssd.conf"))
	samba, sambaErr := readINI(filepath.Join(root, "/etc/samba/smb.conf"))
	if d := sssdDomain(sssd); d != "" {
		return membership{known: true, joined: true, domain: d}
	}
	if sambaErr == nil {
		g := samba["global"]
		security, role := strings.ToLower(g["security"]), strings.ToLower(g["serverrole"])
		workgroup := g["workgroup"]
		if workgroup == "" {
			workgroup = "WORKGROUP"
		}
		switch {
		case security == "ads" || strings.Contains(role, "active directory") || role == "member server" && g["realm"] != "":
			if realm := strings.ToLower(g["realm"]); realm != "" {
				return membership{known: true, joined: true, domain: realm}
			}
			return membership{known: true, joined: true, domain: workgroup}
		case security == "domain" || role == "member server":
			return membership{known: true, joined: true, domain: workgroup}
		}
		if sssdErr != nil && !errors.Is(sssdErr, fs.ErrNotExist) {
			return membership{}
		}
		return membership{known: true, workgroup: workgroup}
	}
	if sssdErr != nil && !errors.Is(sssdErr, fs.ErrNotExist) || sambaErr != nil && !errors.Is(sambaErr, fs.ErrNotExist) {
		return membership{}
	}
	return membership{known: true}
}

// sssdDomain returns the first domain sssd is configured to serve that is
// a directory domain (id_provider ad or ipa), "" when none is.
func sssdDomain(conf map[string]map[string]string) string {
	for _, name := range strings.Split(conf["sssd"]["domains"], ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		sec := conf["domain/"+strings.ToLower(name)]
		switch strings.ToLower(sec["id_provider"]) {
		case "ad":
			return strings.ToLower(firstNonEmpty(sec["ad_domain"], name))
		case "ipa":
			return strings.ToLower(firstNonEmpty(sec["ipa_domain"], name))
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// readINI reads an sssd or Samba configuration file: sections by lower-case
// name, keys in lower case without spaces (Samba ignores both case and
// spaces in parameter names), comments (# ;) skipped, lines continued with
// a trailing backslash joined.
func readINI(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	pending := ""
	for sc.Scan() {
		line := pending + sc.Text()
		pending = ""
		if strings.HasSuffix(line, "\\") {
			pending = strings.TrimSuffix(line, "\\")
			continue
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), " ", ""))
			if out[section] == nil {
				out[section] = map[string]string{}
			}
			out[section][k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
