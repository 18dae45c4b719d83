package framework

import "net/http"

// responseRecorder is an http.ResponseWriter that passes everything on to
// the one it wraps and remembers the status code and the body's size.
// [AccessLog] logs them; [Recover] reads whether the response has begun.
type responseRecorder struct {
	http.ResponseWriter
	status int   // 0 until WriteHeader or Write
	bytes  int64 // body bytes written
}

func (rec *responseRecorder) WriteHeader(status int) {
	if rec.status == 0 && status >= 200 { // 1xx responses are interim
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *responseRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap returns the underlying ResponseWriter, for
// [http.ResponseController].
func (rec *responseRecorder) Unwrap() http.ResponseWriter {
	return rec.ResponseWriter
}
