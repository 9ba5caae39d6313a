// Package shell is cimsh's command line and REPL: the `lua` interpreter's
// conventions (script files with arg, -e, -i, -l, stdin scripts, exit
// codes), the startup file, bundled scripts, and an interactive loop on
// chzyer/readline with completion, history, continuation lines, colored
// output and Ctrl-C that cancels the running operation.
//
// The loop reads lines through the LineReader interface, so tests drive
// the real loop from an io.Reader.
package shell
