package winrs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A command's stdout, stderr and exit code come back whole; a non-zero
// exit code is a result; the shell is created, used and deleted.
func TestRunOutputAndExitCode(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "echo hello & echo oops 1>&2 & echo world & exit /b 3"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "hello\r\nworld\r\n" || string(res.Stderr) != "oops\r\n" || exit(t, res) != 3 {
		t.Fatalf("got %q %q %d", res.Stdout, res.Stderr, exit(t, res))
	}
	if got := ops(s); !strings.HasPrefix(got, "Create,Command,Receive") || !strings.HasSuffix(got, "Receive,Delete") || strings.Contains(got, "Signal") {
		t.Fatalf("server saw %s", got)
	}
	if s.OpenShells() != 0 {
		t.Fatal("shell left open")
	}
	// The shell was made by this package: UTF-8 unless asked otherwise,
	// no profile switch.
	create := logged(s, "Create")[0]
	if create.Options["WINRS_CODEPAGE"] != "65001" || create.ResourceURI != "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd" {
		t.Fatalf("create options %v", create.Options)
	}
}

// on_output is called once per stream per Receive reply that carries
// data, in order, with exactly that reply's data.
func TestOnOutputOncePerReceive(t *testing.T) {
	packets := [][2]string{{"a1", ""}, {"", "e1"}, {"a2\r\n", "e2"}, {strings.Repeat("x", 5000), ""}, {"last", "e3"}}
	s := server(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		for _, pk := range packets {
			io.WriteString(p.Stdout, pk[0])
			// two stream elements for one reply
			io.WriteString(p.Stderr, pk[1][:len(pk[1])/2])
			io.WriteString(p.Stderr, pk[1][len(pk[1])/2:])
			p.Flush()
		}
		return 0
	}})
	r, _ := runner(t, s, nil, winrs.Options{})
	var calls []string
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "program", OnOutput: func(stream string, text []byte) {
		calls = append(calls, stream+":"+string(text))
	}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	var stdout, stderr string
	for _, pk := range packets {
		if pk[0] != "" {
			want = append(want, "stdout:"+pk[0])
		}
		if pk[1] != "" {
			want = append(want, "stderr:"+pk[1])
		}
		stdout += pk[0]
		stderr += pk[1]
	}
	if strings.Join(calls, "|") != strings.Join(want, "|") {
		t.Fatalf("calls\n%q\nwant\n%q", calls, want)
	}
	if string(res.Stdout) != stdout || string(res.Stderr) != stderr {
		t.Fatalf("result %q %q", res.Stdout, res.Stderr)
	}
	// One Receive a packet, and one more for the end unless it came
	// with the last packet.
	if n := count(s, "Receive"); n != len(packets) && n != len(packets)+1 {
		t.Fatalf("%d Receives for %d packets", n, len(packets))
	}
}

// Output far over the envelope size arrives over many Receives, complete
// and in order.
func TestLargeOutputSplitByEnvelope(t *testing.T) {
	var want bytes.Buffer
	for i := 0; i < 12000; i++ {
		fmt.Fprintf(&want, "line %06d of the output\r\n", i)
	}
	s := server(t, wsmantest.Options{MaxEnvelopeSize: 153600, RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		p.Stdout.Write(want.Bytes())
		return 0
	}})
	r, _ := runner(t, s, nil, winrs.Options{MaxEnvelopeSize: 153600})
	calls := 0
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "big", OnOutput: func(string, []byte) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Stdout, want.Bytes()) {
		t.Fatalf("stdout %d bytes, want %d", len(res.Stdout), want.Len())
	}
	if n := count(s, "Receive"); calls < 3 || n != calls && n != calls+1 {
		t.Fatalf("%d callbacks, %d Receives", calls, n)
	}
}

// A large stdin goes in chunks that fit the smallest envelope Windows
// accepts, intact, the last one ending the stream.
func TestLargeStdin(t *testing.T) {
	s := server(t, wsmantest.Options{MaxEnvelopeSize: 153600})
	r, _ := runner(t, s, nil, winrs.Options{})
	in := bytes.Repeat([]byte("0123456789abcdef\r\n"), 30000) // 540 KB
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "more", Stdin: in})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Stdout, in) || exit(t, res) != 0 {
		t.Fatalf("stdout %d bytes, want %d", len(res.Stdout), len(in))
	}
	sends := logged(s, "Send")
	if len(sends) < 5 {
		t.Fatalf("%d Sends for 540 KB", len(sends))
	}
	for i, l := range sends {
		if len(l.Body) > 153600 || l.Status != 200 {
			t.Fatalf("Send %d: %d bytes, status %d", i, len(l.Body), l.Status)
		}
		if end := bytes.Contains(l.Body, []byte(`End="true"`)); end != (i == len(sends)-1) {
			t.Fatalf("Send %d End=%v", i, end)
		}
	}
}

// An empty stdin still ends the stream: a command reading stdin ends.
func TestEmptyStdinCloses(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "more", Stdin: []byte{}})
	if err != nil || len(res.Stdout) != 0 || count(s, "Send") != 1 {
		t.Fatalf("%v %+v, %d Sends", err, res, count(s, "Send"))
	}
}

// The working directory and environment reach the shell, markup and all.
func TestWorkingDirectoryAndEnvironment(t *testing.T) {
	var got *wsmantest.Process
	s := server(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		got = p
		return 0
	}})
	r, _ := runner(t, s, nil, winrs.Options{})
	env := []model.EnvVar{{Name: "A_B", Value: `x<y>&"z"`}, {Name: "PATH", Value: `C:\tools;%PATH%`}}
	if _, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x", WorkingDirectory: `C:\Program Files\<a&b>`, Environment: env}); err != nil {
		t.Fatal(err)
	}
	if got.WorkingDirectory != `C:\Program Files\<a&b>` || got.Environment["A_B"] != `x<y>&"z"` || got.Environment["PATH"] != `C:\tools;%PATH%` {
		t.Fatalf("dir %q env %q", got.WorkingDirectory, got.Environment)
	}
	for _, tc := range []model.EnvVar{{Name: "", Value: "x"}, {Name: "A=B", Value: "x"}, {Name: "A", Value: "bell\x07"}} {
		_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x", Environment: []model.EnvVar{tc}})
		mustFault(t, err, model.CategoryInvalidParameter)
	}
}

// Arguments arrive quoted for cmd.exe and CommandLineToArgvW: the
// program's argv is exactly what was given. "]]>" in a command or an
// argument does not break the request.
func TestArgumentsAndCDATA(t *testing.T) {
	var got *wsmantest.Process
	s := server(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		got = p
		return 0
	}})
	r, _ := runner(t, s, nil, winrs.Options{})
	args := []string{"plain", "two words", `quo"te`, `trailing\`, `a\\"b`, "100%PATH%", "a&b|c<d>e^f", "", "]]>", `"]]><x/>`, "tab\there", "ünï"}
	cmd := "findstr ]]> <![CDATA[ & echo"
	if _, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: cmd, Arguments: args}); err != nil {
		t.Fatal(err)
	}
	if got.Command != cmd {
		t.Fatalf("command %q", got.Command)
	}
	if len(got.Arguments) != len(args) {
		t.Fatalf("arguments %q", got.Arguments)
	}
	// What cmd.exe and then CommandLineToArgvW make of the line.
	argv := winrs.CommandLineToArgv(winrs.CmdUnescape(strings.Join(got.Arguments, " ")))
	if strings.Join(argv, "\x00") != strings.Join(args, "\x00") {
		t.Fatalf("argv\n%q\nwant\n%q", argv, args)
	}
	_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x", Arguments: []string{"line\nbreak"}})
	if f := mustFault(t, err, model.CategoryInvalidParameter); !strings.Contains(f.Reason, "argument 1") {
		t.Fatalf("reason %q", f.Reason)
	}
}

// Output in another code page comes back as UTF-8, also when a
// multibyte character is split between two Receive replies.
func TestCodepage(t *testing.T) {
	for _, tc := range []struct {
		cp    int
		parts [][]byte
		want  string
	}{
		{437, [][]byte{{'c', 'a', 'f', 0x82}, {' ', 0x9c, '5'}}, "café £5"},
		{932, [][]byte{{0x93, 0xfa, 0x96}, {0x7b, 0x8c, 0xea}}, "日本語"},
		{1252, [][]byte{{0x80, 0x20, 0xe9}}, "€ é"},
	} {
		t.Run(fmt.Sprint(tc.cp), func(t *testing.T) {
			s := server(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
				if p.Codepage != tc.cp {
					fmt.Fprintf(p.Stderr, "codepage %d", p.Codepage)
					return 1
				}
				for _, b := range tc.parts {
					p.Stdout.Write(b)
					p.Flush()
				}
				return 0
			}})
			r, _ := runner(t, s, nil, winrs.Options{})
			var seen []string
			res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x", Codepage: tc.cp, OnOutput: func(_ string, b []byte) { seen = append(seen, string(b)) }})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Stdout) != tc.want || strings.Join(seen, "") != tc.want || exit(t, res) != 0 {
				t.Fatalf("got %q (%q), stderr %q", res.Stdout, seen, res.Stderr)
			}
		})
	}
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x", Codepage: 12345})
	if f := mustFault(t, err, model.CategoryInvalidParameter); !strings.Contains(f.Reason, "codepage 12345 is not supported") {
		t.Fatalf("reason %q", f.Reason)
	}
	if len(s.Requests()) != 0 {
		t.Fatal("a bad codepage went to the server")
	}
}
