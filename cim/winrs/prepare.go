package winrs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// prepare checks req and builds what runs: the command line, the
// arguments quoted for the shell by quote, the stdin to send (nil: none)
// and the code page. psExe runs a Script; limit is the longest command
// line before a script goes through stdin.
func prepare(req *model.CommandRequest, psExe string, limit int, quote func(string) (string, error)) (line string, args []string, stdin []byte, codepage int, err error) {
	codepage = req.Codepage
	if codepage == 0 {
		codepage = DefaultCodepage
	}
	if err := CheckCodepage(codepage); err != nil {
		return "", nil, nil, 0, err
	}
	switch {
	case req.Script != "" && req.Command != "":
		return "", nil, nil, 0, errors.New("give a command or a script, not both")
	case req.Script != "":
		if len(req.Arguments) > 0 {
			return "", nil, nil, 0, errors.New("arguments go with a command, not a PowerShell script")
		}
		line, stdin = powershellLine(psExe, req.Script, req.Stdin, limit)
		return line, nil, stdin, codepage, nil
	case strings.TrimSpace(req.Command) == "":
		return "", nil, nil, 0, errors.New("the command is empty")
	}
	for i, a := range req.Arguments {
		q, err := quote(a)
		if err != nil {
			return "", nil, nil, 0, fmt.Errorf("argument %d %v", i+1, err)
		}
		args = append(args, q)
	}
	return req.Command, args, req.Stdin, codepage, nil
}
