package testpeer

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is released before returning, so another process may take it first;
// a server that fails to bind shows that in its output.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testpeer: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// maxOutput bounds the output a Process keeps; older bytes are dropped.
const maxOutput = 1 << 20

// stopWait bounds how long Stop waits for the process and its output pipes
// after killing the process group.
const stopWait = 10 * time.Second

// Process is a long-running program started by StartProcess.
type Process struct {
	// Cmd is the started command. Read only.
	Cmd *exec.Cmd

	name    string
	out     tailBuffer
	done    chan struct{}
	waitErr error
	stop    sync.Once
}

// StartProcess starts name with args in dir (the current directory when dir
// is empty) as the leader of a new process group, with stdin from the null
// device and stdout and stderr captured together (the last MiB is kept).
// The process group is killed when ctx is done, when Stop is called, and at
// the latest in t.Cleanup; if the test has failed by then, the captured
// output is logged. StartProcess fails the test when the program cannot be
// started.
func StartProcess(t testing.TB, ctx context.Context, dir string, name string, args ...string) *Process {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	p := &Process{Cmd: cmd, name: name, done: make(chan struct{})}
	cmd.Stdout = &p.out
	cmd.Stderr = &p.out
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = stopWait
	if err := cmd.Start(); err != nil {
		t.Fatalf("testpeer: start %s %s: %v", name, strings.Join(args, " "), err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("testpeer: output of %s %s (pid %d):\n%s", name, strings.Join(args, " "), cmd.Process.Pid, p.Output())
		}
	})
	return p
}

// Stop kills the process group and waits for the process to be reaped. It
// is safe to call more than once and after the process has exited.
func (p *Process) Stop() {
	p.stop.Do(func() {
		_ = killProcessGroup(p.Cmd)
		select {
		case <-p.done:
		case <-time.After(stopWait):
		}
	})
}

// Done is closed once the process has exited and its output is complete.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns the error of the process's exit (nil for status 0). It is
// meaningful only after Done is closed.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.waitErr
	default:
		return nil
	}
}

// Output returns the captured stdout and stderr so far.
func (p *Process) Output() string { return p.out.String() }

// WaitHTTP is WaitHTTP for a server run by p: it also fails the test as
// soon as p exits (p's output is then logged by StartProcess's cleanup).
func (p *Process) WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	if err := waitHTTP(t.Context(), url, timeout, p.done); err != nil {
		t.Fatalf("testpeer: %s: %v", p.name, err)
	}
}

// WaitHTTP polls url with GET until the server answers with any HTTP
// status, and fails the test when it has not answered within timeout.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	if err := waitHTTP(t.Context(), url, timeout, nil); err != nil {
		t.Fatalf("testpeer: %v", err)
	}
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", url, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s: %v", url, timeout, lastErr)
		case <-exited:
			return fmt.Errorf("server exited before %s answered: %v", url, lastErr)
		case <-tick.C:
		}
	}
}

// tailBuffer is a goroutine-safe writer that keeps the last maxOutput bytes.
type tailBuffer struct {
	mu      sync.Mutex
	buf     []byte
	dropped int64
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - maxOutput; over > 0 {
		b.dropped += int64(over)
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped > 0 {
		return fmt.Sprintf("[%d earlier bytes dropped]\n%s", b.dropped, b.buf)
	}
	return string(b.buf)
}
