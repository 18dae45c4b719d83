package main

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// writes keeps each Write it gets as one string, in order.
type writes struct {
	mu   sync.Mutex
	list []string
}

func (w *writes) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, string(b))
	return len(b), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.list...)
}

// TestLogBufferFlushes checks when the buffer writes: not at each record,
// but every LogFlushInterval and at Close, in a synctest bubble, where the
// clock is exact.
func TestLogBufferFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		destination := &writes{}
		buffer := newLogBuffer(destination, LogFlushInterval)
		buffer.Write([]byte("one\n"))
		buffer.Write([]byte("two\n"))
		if got := destination.get(); len(got) != 0 {
			t.Errorf("before the interval: %q written, want nothing", got)
		}
		time.Sleep(LogFlushInterval)
		synctest.Wait()
		if got := destination.get(); len(got) != 1 || got[0] != "one\ntwo\n" {
			t.Errorf("after the interval: %q written, want both records in one write", got)
		}
		buffer.Write([]byte("three\n"))
		if err := buffer.Close(); err != nil {
			t.Fatal(err)
		}
		if got := destination.get(); len(got) != 2 || got[1] != "three\n" {
			t.Errorf("after Close: %q written, want the last record", got)
		}
	})
}

// TestLogBufferWholeRecords checks that LogBufferBytes bound the buffer and
// that no record is split between two writes, so that another writer to
// the same destination cannot land inside one.
func TestLogBufferWholeRecords(t *testing.T) {
	destination := &writes{}
	buffer := newLogBuffer(destination, time.Hour)
	record := strings.Repeat("a", 999) + "\n" // 1,000 bytes
	var want strings.Builder
	for range 3 * LogBufferBytes / len(record) {
		buffer.Write([]byte(record))
		want.WriteString(record)
	}
	huge := strings.Repeat("b", 2*LogBufferBytes) + "\n"
	buffer.Write([]byte(huge))
	want.WriteString(huge)
	if err := buffer.Close(); err != nil {
		t.Fatal(err)
	}
	got := destination.get()
	if strings.Join(got, "") != want.String() {
		t.Fatalf("the records written differ from the records given")
	}
	if len(got) < 3 {
		t.Errorf("%d bytes in %d writes, want the buffer to fill and write at least 3 times", want.Len(), len(got))
	}
	for i, write := range got {
		if len(write) > LogBufferBytes && write != huge {
			t.Errorf("write %d: %d bytes, more than LogBufferBytes (%d)", i, len(write), LogBufferBytes)
		}
		if !strings.HasSuffix(write, "\n") || (i > 0 && !strings.HasSuffix(got[i-1], "\n")) {
			t.Errorf("write %d splits a record", i)
		}
	}
}

// failing is a destination that fails while full is set, like a full disk.
type failing struct {
	writes
	full bool
}

func (f *failing) Write(b []byte) (int, error) {
	if f.full {
		return 0, errors.New("no space left on device")
	}
	return f.writes.Write(b)
}

// TestLogBufferRecovers checks that a destination that fails and recovers
// gets the records written after it recovered: a failed write does not
// stop the log for good, as bufio.Writer alone would.
func TestLogBufferRecovers(t *testing.T) {
	destination := &failing{full: true}
	buffer := newLogBuffer(destination, time.Hour)
	buffer.Write([]byte("lost\n"))
	if err := buffer.Flush(); err == nil {
		t.Fatal("Flush to a full destination: no error")
	}
	destination.full = false
	buffer.Write([]byte("kept\n"))
	if err := buffer.Close(); err != nil {
		t.Fatalf("Close after the destination recovered: %v", err)
	}
	if got := destination.get(); len(got) != 1 || got[0] != "kept\n" {
		t.Errorf("written after recovery: %q, want the record written since", got)
	}
}
