package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRun starts the command on a free port, makes a request, and stops
// it as SIGINT would.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stdoutWriter := io.Pipe()
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, stdoutWriter, &logs)
		stdoutWriter.Close()
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the address from stdout: %v (stderr: %s)", err, logs.String())
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "rawsocket: serving on http://")
	if !ok {
		t.Fatalf("stdout = %q, want the address", line)
	}
	go io.Copy(io.Discard, stdout)

	if got := statusOf(exchange(t, addr, get("/", ""))); got != http.StatusOK {
		t.Errorf("GET /: status = %d, want %d", got, http.StatusOK)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel = %v, want nil", err)
	}
	if !strings.Contains(logs.String(), "method=GET path=/ status=200") {
		t.Errorf("stderr = %q, want a log line for GET /", logs.String())
	}
}

func TestRunArguments(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{name: "help", args: []string{"-h"}, wantErr: false},
		{name: "unknown flag", args: []string{"-port", "80"}, wantErr: true},
		{name: "extra argument", args: []string{"serve"}, wantErr: true},
		{name: "bad address", args: []string{"-addr", "127.0.0.1:99999"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Errorf("run(%q) = %v, want error: %t", tc.args, err, tc.wantErr)
			}
		})
	}
}
