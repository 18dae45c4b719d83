package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Access log buffering, as web servers do it (nginx's access_log buffer=
// and flush=): one write for many requests' records instead of one each.
const (
	// LogBufferBytes is how much of the access log waits in memory before
	// it is written: 64 KiB.
	LogBufferBytes = 64 << 10
	// LogFlushInterval is the longest a record waits before it is
	// written: 1 second. A process that is killed (SIGKILL, a crash)
	// loses at most that much of its access log; one that is stopped
	// with SIGINT or SIGTERM, or ends, loses nothing of the requests it
	// finished. (A request still running when the server gives up on it,
	// as FastCGI does at once and HTTP after ShutdownTimeout, is not
	// logged.)
	LogFlushInterval = time.Second
)

// logBuffer is an io.Writer for a log that gathers records in memory and
// writes them to its destination when LogBufferBytes fill, every flush
// interval, and at Close. It is safe for concurrent use. Each Write is
// one record (log/slog writes a record in one call), and a record is
// never split between two writes to the destination, so that another
// writer to the same destination, such as the application's log on
// stderr, cannot land in the middle of one. A failed write drops what
// the buffer held and leaves it ready for the next record: a full disk
// that is freed again loses the records of its time, not all later ones.
type logBuffer struct {
	mu          sync.Mutex
	destination io.Writer
	buffer      *bufio.Writer // to destination

	stop chan struct{} // closed by Close
	done chan struct{} // closed when the flushing goroutine has ended
}

// newLogBuffer returns a logBuffer that writes to destination, and
// flushes every interval until Close.
func newLogBuffer(destination io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{
		destination: destination,
		buffer:      bufio.NewWriterSize(destination, LogBufferBytes),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
	}
	go func() {
		defer close(b.done)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write adds record to the buffer, after writing out what the buffer
// holds if record does not fit in what is left. A record larger than the
// whole buffer is written at once. The error is the destination's.
func (b *logBuffer) Write(record []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(record) > b.buffer.Available() && b.buffer.Buffered() > 0 {
		if err := b.flush(); err != nil {
			return 0, err
		}
	}
	n, err := b.buffer.Write(record)
	if err != nil {
		b.buffer.Reset(b.destination)
	}
	return n, err
}

// Flush writes out what the buffer holds. The error is the destination's.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flush()
}

// flush is Flush with b.mu held. On an error it empties the buffer, which
// bufio.Writer would otherwise keep failing with.
func (b *logBuffer) flush() error {
	err := b.buffer.Flush()
	if err != nil {
		b.buffer.Reset(b.destination)
	}
	return err
}

// Close stops the periodic flushing and writes out what the buffer holds.
// Records written after Close stay in the buffer until the next Flush.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}
