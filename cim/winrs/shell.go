package winrs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/google/uuid"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

const anonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

// createShell creates the cmd shell itself and returns its ShellId, for
// Client.NewShell to adopt: masterzen/winrm's CreateShell hard-codes
// WINRS_CODEPAGE 65001 and has no working directory or environment. The
// message is built with the library's soap package; its XML writer does
// not escape, so every value is escaped here.
func (t *runTransport) createShell(c *winrm.Client, req *model.CommandRequest, codepage int) (string, error) {
	msg := soap.NewMessage()
	msg.Header().
		To(t.r.opts.Endpoint).
		ReplyTo(anonymous).
		MaxEnvelopeSize(c.Parameters.EnvelopeSize).
		Id("uuid:" + strings.ToUpper(uuid.NewString())).
		Locale(xmlText(c.Parameters.Locale)).
		Timeout(c.Parameters.Timeout).
		Action(actionCreate).
		ResourceURI(shellURI).
		AddOption(soap.NewHeaderOption("WINRS_NOPROFILE", "FALSE")).
		AddOption(soap.NewHeaderOption("WINRS_CODEPAGE", strconv.Itoa(codepage))).
		Build()
	shell := msg.CreateBodyElement("Shell", soap.DOM_NS_WIN_SHELL)
	if len(req.Environment) > 0 {
		env := msg.CreateElement(shell, "Environment", soap.DOM_NS_WIN_SHELL)
		for _, v := range req.Environment {
			e := msg.CreateElement(env, "Variable", soap.DOM_NS_WIN_SHELL)
			e.SetAttr("Name", xmlText(v.Name))
			e.SetContent(xmlText(v.Value))
		}
	}
	if req.WorkingDirectory != "" {
		msg.CreateElement(shell, "WorkingDirectory", soap.DOM_NS_WIN_SHELL).SetContent(xmlText(req.WorkingDirectory))
	}
	msg.CreateElement(shell, "InputStreams", soap.DOM_NS_WIN_SHELL).SetContent("stdin")
	msg.CreateElement(shell, "OutputStreams", soap.DOM_NS_WIN_SHELL).SetContent("stdout stderr")
	reply, err := t.Post(c, msg)
	if err != nil {
		return "", err
	}
	id, err := winrm.ParseOpenShellResponse(reply)
	if err == nil && strings.TrimSpace(id) == "" {
		// the library's parser returns "" with no error when the reply
		// names no ShellId
		err = errors.New("no ShellId")
	}
	if err != nil {
		return "", t.fail(t.r.protocolFault(fmt.Errorf("the Create reply for the shell: %w", err)))
	}
	return strings.TrimSpace(id), nil
}

// checkEnvironment refuses what cmd.exe's environment cannot hold.
func checkEnvironment(env []model.EnvVar) error {
	for _, v := range env {
		if v.Name == "" || strings.ContainsAny(v.Name, "=\x00") {
			return fmt.Errorf("environment variable name %q is not valid (empty, or holds '=')", clip(v.Name))
		}
		if _, err := cdataSafe(v.Name + v.Value); err != nil {
			return fmt.Errorf("environment variable %s %v", clip(v.Name), err)
		}
	}
	return nil
}
