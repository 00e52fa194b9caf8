package testpeer

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStopKillsTheProcessGroup checks that a server's children die with it.
func TestStopKillsTheProcessGroup(t *testing.T) {
	sh := lookPath(t, "sh")
	p := StartProcess(t, t.Context(), "", sh, "-c", "sleep 300 & echo $!; wait")
	var child int
	deadline := time.Now().Add(10 * time.Second)
	for child == 0 && time.Now().Before(deadline) {
		if line, _, ok := strings.Cut(p.Output(), "\n"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(line))
			if err != nil {
				t.Fatalf("child pid: %v in %q", err, p.Output())
			}
			child = n
		}
		time.Sleep(10 * time.Millisecond)
	}
	if child == 0 {
		t.Fatalf("no child pid printed: %q", p.Output())
	}
	p.Stop()
	for time.Now().Before(deadline) {
		if !alive(child) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("child %d of the process group survived Stop", child)
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the ")" that closes the command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
