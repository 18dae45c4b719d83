package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoginFloodMemory sends floodLogins logins at once to the demo's
// binary, built without the race detector, and checks that its peak
// resident memory stays under floodMaxMiB. Each argon2id check takes
// 19 MiB (users.passwordParams), and users.Store runs at most one a CPU,
// within users.MaxHashingMemory: unbounded, 200 of them would take nearly
// 4 GiB.
func TestLoginFloodMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory from /proc/<pid>/status, which only Linux has")
	}
	const (
		floodLogins = 200
		floodMaxMiB = 256
	)
	program, err := plainBinary()
	if err != nil {
		t.Fatal(err)
	}
	server := startDemo(t, program)
	address := server.address

	// Each login comes from its own loopback address (127.0.0.2 on) for
	// its own unknown user, which costs a hash like any other: so the
	// throttle, which counts attempts per address and per user, lets
	// all of them through to the password check, as a botnet's would be.
	start := make(chan struct{})
	results := make(chan error, floodLogins)
	var busy atomic.Int32 // logins answered 503 at once
	for i := range floodLogins {
		go func() {
			dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/250), byte(2+i%250))}}
			transport := &http.Transport{DialContext: dialer.DialContext}
			defer transport.CloseIdleConnections()
			client := &http.Client{Transport: transport, Timeout: 2 * time.Minute}
			<-start
			res, err := client.PostForm("http://"+address+"/login", credentials(fmt.Sprintf("flood%d", i), "secure123"))
			if err != nil {
				results <- err
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			// Checked and refused, or, past the queue of password checks,
			// refused at once with 503 and Retry-After.
			switch {
			case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
				busy.Add(1)
			case res.StatusCode != http.StatusUnprocessableEntity:
				results <- fmt.Errorf("status = %d, want %d or %d with Retry-After", res.StatusCode,
					http.StatusUnprocessableEntity, http.StatusServiceUnavailable)
				return
			}
			results <- nil
		}()
	}
	close(start)
	failed := 0
	for range floodLogins {
		if err := <-results; err != nil {
			if failed++; failed <= 5 {
				t.Errorf("POST /login, one of %d at once: %v", floodLogins, err)
			}
		}
	}
	if failed > 5 {
		t.Errorf("… %d of %d logins failed in all", failed, floodLogins)
	}
	if checked := floodLogins - failed - int(busy.Load()); checked < 1 {
		t.Errorf("%d logins at once: none was checked, all refused", floodLogins)
	}
	t.Logf("%d logins at once: %d refused with 503 past the queue of password checks", floodLogins, busy.Load())

	peakKiB, err := peakResidentKiB(server.process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	peakMiB := float64(peakKiB) / 1024
	t.Logf("peak resident memory (VmHWM) of the server after %d logins at once: %.1f MiB, limit %d MiB", floodLogins, peakMiB, floodMaxMiB)
	if peakMiB >= floodMaxMiB {
		t.Errorf("%d logins at once: peak resident memory = %.1f MiB, want under %d MiB", floodLogins, peakMiB, floodMaxMiB)
	}
}

// peakResidentKiB returns the peak resident set size of process pid, in
// KiB: the VmHWM line of /proc/<pid>/status (proc(5)), which the kernel
// writes in kB meaning KiB.
func peakResidentKiB(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fields := strings.Fields(rest)
			if len(fields) != 2 || fields[1] != "kB" {
				return 0, fmt.Errorf("/proc/%d/status: malformed line %q", pid, line)
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM line", pid)
}
