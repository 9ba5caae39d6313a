package shell

import (
	"regexp"
	"strings"

	"github.com/yuin/gopher-lua/parse"

	"github.com/cimsh/cimsh/internal/editdist"
)

// What the REPL keeps out of its history. A password typed into a line
// must not reach a file, in whatever form the line holds it:
//
//   - any line matching PSReadLine's sensitive pattern (password,
//     asplaintext, token, apikey, secret; also api_key and api-key), case
//     insensitive, as PowerShell users expect;
//   - a call to a credential-like function with two or more arguments,
//     whatever its spelling (cim.credentail("admin", "pw") fails, so no
//     password goes live, but the line holds one all the same);
//   - a line that holds a live credential's password: in its text, in its
//     string literals joined (p = "Split3" .. "Pass"), or as a piece of at
//     least four characters (a = "Split3", then p = a .. "Pass").

// sensitive is PSReadLine's pattern for lines it keeps out of history.
var sensitive = regexp.MustCompile(`(?i)password|asplaintext|token|api[-_]?key|secret`)

// minPiece is the shortest string literal that counts as a piece of a
// password (shorter ones match too much); a whole shorter password
// counts.
const minPiece = 4

// secret reports whether a chunk must stay out of the history, given the
// passwords of the credentials made so far.
func secret(chunk string, secrets []string) bool {
	if sensitive.MatchString(chunk) {
		return true
	}
	toks, complete := luaTokens(chunk)
	if credentialCall(toks) {
		return true
	}
	var literals []string
	for _, t := range toks {
		if t.Type == parse.TString {
			literals = append(literals, t.Str)
		}
	}
	if !complete {
		literals = append(literals, chunk) // an unfinished string: its raw text
	}
	joined := strings.Join(literals, "")
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(chunk, s) || strings.Contains(joined, s) {
			return true
		}
		for _, l := range append(literals, joined) {
			if len(l) >= min(minPiece, len(s)) && strings.Contains(s, l) {
				return true
			}
		}
	}
	return false
}

// luaTokens scans a chunk with Lua's own scanner (string literals come
// decoded: escapes, long brackets); complete is false when the scan
// stopped at an error, such as a string left open on a continued line.
func luaTokens(chunk string) (toks []tokenT, complete bool) {
	sc := parse.NewScanner(strings.NewReader(chunk), "")
	lx := &parse.Lexer{}
	for {
		tok, err := sc.Scan(lx)
		if err != nil {
			return toks, false
		}
		if tok.Type == parse.EOF {
			return toks, true
		}
		lx.PrevTokenType = tok.Type
		toks = append(toks, tokenT{Type: tok.Type, Str: tok.Str})
	}
}

type tokenT struct {
	Type int
	Str  string
}

// credentialCall reports whether the tokens call a credential-like
// function (see credentialLike) with two or more arguments.
func credentialCall(toks []tokenT) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].Type != parse.TIdent || toks[i+1].Type != '(' || !credentialLike(toks[i].Str) {
			continue
		}
		depth := 0
		for _, t := range toks[i+1:] {
			switch t.Type {
			case '(', '{', '[':
				depth++
			case ')', '}', ']':
				depth--
			case ',':
				if depth == 1 {
					return true
				}
			}
			if depth == 0 {
				break
			}
		}
	}
	return false
}

// credentialLike reports whether a function name looks like a credential
// constructor: it holds "cred" in any case, or is within three edits of
// "credential" (a typo such as "cerdential").
func credentialLike(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "cred") || editdist.Distance(n, "credential") <= 3
}
