package shell

import (
	"fmt"
	"strings"
)

// action is one -e or -l in command-line order.
type action struct {
	kind string // "e" or "l"
	arg  string
}

// options is the parsed command line.
type options struct {
	actions     []action
	interactive bool // -i
	version     bool
	help        bool
	noColor     bool
	trace       bool // --trace
	listScripts bool
	bundled     string // -s NAME
	script      string // FILE, or "-" for stdin
	hasScript   bool
	scriptArgs  []string
	preArgs     []string // the arguments before the script (arg[-n])
}

// usageText is --help.
const usageText = `usage: cimsh [options] [script [args]]
Available options are:
  -e stat         execute string 'stat'
  -i              enter interactive mode after executing 'script'
  -l name         require library 'name'
  -s name         run the bundled script 'name' with the remaining args
  --list-scripts  list the bundled scripts
  -v, --version   show version information
  --no-color      plain output (also when NO_COLOR is set)
  --trace         print every WS-Man request and reply on stderr (also
                  when CIMSH_TRACE=1); secrets are redacted
  -h, --help      show this help
  --              stop handling options
  -               stop handling options and execute stdin
With no script: the REPL when stdin is a terminal, else the script on stdin.
`

// parseArgs reads the command line as the lua interpreter does: options
// first, then the script and its arguments.
func parseArgs(argv []string) (*options, error) {
	o := &options{}
	i := 0
	for i < len(argv) {
		a := argv[i]
		switch {
		case a == "--":
			i++
			goto script
		case a == "-":
			o.script, o.hasScript = "-", true
			o.preArgs = argv[:i]
			o.scriptArgs = argv[i+1:]
			return o, nil
		case a == "-e" || a == "-l" || a == "-s":
			if i+1 >= len(argv) {
				return nil, fmt.Errorf("'%s' needs argument", a)
			}
			if a == "-s" {
				o.bundled = argv[i+1]
				o.preArgs = argv[:i+2]
				o.scriptArgs = argv[i+2:]
				return o, nil
			}
			o.actions = append(o.actions, action{kind: a[1:], arg: argv[i+1]})
			i += 2
			continue
		case strings.HasPrefix(a, "-e") && len(a) > 2:
			o.actions = append(o.actions, action{kind: "e", arg: a[2:]})
		case strings.HasPrefix(a, "-l") && len(a) > 2:
			o.actions = append(o.actions, action{kind: "l", arg: a[2:]})
		case a == "-i":
			o.interactive = true
		case a == "-v" || a == "--version":
			o.version = true
		case a == "-h" || a == "--help":
			o.help = true
		case a == "--no-color":
			o.noColor = true
		case a == "--trace":
			o.trace = true
		case a == "--list-scripts":
			o.listScripts = true
		case strings.HasPrefix(a, "-"):
			return nil, fmt.Errorf("unrecognized option '%s'", a)
		default:
			goto script
		}
		i++
	}
script:
	if i < len(argv) {
		o.script, o.hasScript = argv[i], true
		o.preArgs = argv[:i]
		o.scriptArgs = argv[i+1:]
	} else {
		o.preArgs = argv
	}
	return o, nil
}
