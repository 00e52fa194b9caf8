package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ZeepTimeout bounds one run of test/zeep/inspect.py.
const ZeepTimeout = 60 * time.Second

// ZeepResult is what test/zeep/inspect.py prints for one WSDL.
type ZeepResult struct {
	// OK is false when zeep could not load the WSDL; Error then says why.
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Operations lists every operation of every SOAP 1.1/1.2 port (HTTP
	// bindings excluded), sorted by service, port, operation.
	Operations []ZeepOperation `json:"operations,omitempty"`
}

// ZeepOperation is one operation of one SOAP port as zeep sees it.
type ZeepOperation struct {
	Service     string `json:"service"`
	Port        string `json:"port"`
	Operation   string `json:"operation"`
	SOAPVersion string `json:"soap_version"` // "1.1" or "1.2"
	Style       string `json:"style"`        // "document" or "rpc"
}

// ZeepInspect loads wsdlPath with zeep, strictly offline (remote imports
// make the load fail), through test/zeep/inspect.py, and returns what zeep
// sees. It requires the Zeep peer (see Require). A WSDL that zeep rejects
// is a result with OK false, not an error; the error is for a run that did
// not produce a result (timeout after ZeepTimeout, crash, bad JSON).
func ZeepInspect(t testing.TB, wsdlPath string) (ZeepResult, error) {
	t.Helper()
	python := Require(t, Zeep)
	script := filepath.Join(RepoRoot(t), "test", "zeep", "inspect.py")
	abs, err := filepath.Abs(wsdlPath)
	if err != nil {
		return ZeepResult{}, fmt.Errorf("zeep inspect %s: %w", wsdlPath, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), ZeepTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, script, abs)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ZeepResult{}, fmt.Errorf("zeep inspect %s: timed out after %s", wsdlPath, ZeepTimeout)
		}
		return ZeepResult{}, fmt.Errorf("zeep inspect %s: %w: %s", wsdlPath, err, tail(stderr.Bytes(), 2000))
	}
	var res ZeepResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return ZeepResult{}, fmt.Errorf("zeep inspect %s: bad JSON from inspect.py: %w: %s", wsdlPath, err, tail(stdout.Bytes(), 2000))
	}
	return res, nil
}

// tail returns at most the last n bytes of b as a string.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}
