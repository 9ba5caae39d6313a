package local

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// resolvConf is the resolver configuration. The Go standard library reads
// /etc/resolv.conf but does not export it, and no maintained module in
// the dependency set does, so its three relevant keywords are read here.
type resolvConf struct {
	servers []string
	search  []string
	domain  string
}

func readResolvConf() resolvConf {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return resolvConf{}
	}
	defer f.Close()
	return parseResolvConf(f)
}

// parseResolvConf follows resolv.conf(5): "nameserver ADDR" lines in
// order, "search" and "domain" where the last one wins, comments after
// '#' or ';'.
func parseResolvConf(r io.Reader) resolvConf {
	var rc resolvConf
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			rc.servers = append(rc.servers, f[1])
		case "search":
			rc.search = append([]string(nil), f[1:]...)
			rc.domain = ""
		case "domain":
			rc.domain = f[1]
			rc.search = nil
		}
	}
	if rc.domain == "" && len(rc.search) > 0 {
		rc.domain = rc.search[0]
	}
	if rc.domain != "" && len(rc.search) == 0 {
		rc.search = []string{rc.domain}
	}
	return rc
}
