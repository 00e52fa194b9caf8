package testpeer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
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

// ZeepInspectAll is ZeepInspect for many WSDLs, keyed by the paths as
// given. They are loaded by a few runs of test/zeep/inspect.py --many (one
// per CPU, GOMAXPROCS), each of which imports zeep once and loads its
// WSDLs one after another with a fresh zeep Client each, so hundreds of
// WSDLs take seconds of zeep's time rather than the minutes of a Python
// start and a zeep import per WSDL. The error is for a run that did not
// produce a result for each of its WSDLs: one WSDL taking longer than
// ZeepTimeout, a crash, bad JSON.
func ZeepInspectAll(t testing.TB, wsdlPaths []string) (map[string]ZeepResult, error) {
	t.Helper()
	python := Require(t, Zeep)
	script := filepath.Join(RepoRoot(t), "test", "zeep", "inspect.py")
	runs := min(runtime.GOMAXPROCS(0), len(wsdlPaths))
	out := make(map[string]ZeepResult, len(wsdlPaths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, runs)
	for i := range runs {
		var chunk []string
		for j := i; j < len(wsdlPaths); j += runs {
			chunk = append(chunk, wsdlPaths[j])
		}
		wg.Go(func() {
			res, err := zeepMany(t.Context(), python, script, chunk)
			errs[i] = err
			mu.Lock()
			defer mu.Unlock()
			for j, r := range res {
				out[chunk[j]] = r
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// zeepMany runs inspect.py --many over paths, allowing each WSDL
// ZeepTimeout, and returns the results in order: as many as it read.
func zeepMany(ctx context.Context, python, script string, paths []string) ([]ZeepResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	args := []string{script, "--many"}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("zeep inspect %s: %w", p, err)
		}
		args = append(args, abs)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("zeep inspect: %w", err)
	}
	// A watchdog: each WSDL has ZeepTimeout from the previous result on.
	var timedOut atomic.Bool
	watchdog := time.AfterFunc(ZeepTimeout, func() { timedOut.Store(true); cancel() })
	defer watchdog.Stop()
	var res []ZeepResult
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var decodeErr error
	for sc.Scan() {
		var r ZeepResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			decodeErr = fmt.Errorf("zeep inspect %s: bad JSON from inspect.py: %w: %s", paths[len(res)], err, tail(sc.Bytes(), 2000))
			cancel()
			break
		}
		res = append(res, r)
		watchdog.Reset(ZeepTimeout)
		if len(res) == len(paths) {
			break
		}
	}
	io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	switch {
	case decodeErr != nil:
		return res, decodeErr
	case len(res) == len(paths):
		return res, nil
	case timedOut.Load():
		return res, fmt.Errorf("zeep inspect %s: timed out after %s", paths[len(res)], ZeepTimeout)
	default:
		return res, fmt.Errorf("zeep inspect %s: %v: %s", paths[len(res)], waitErr, tail(stderr.Bytes(), 2000))
	}
}

// tail returns at most the last n bytes of b as a string.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}
