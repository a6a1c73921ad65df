package serviceplane

import (
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Bounds of the node-name responder: a lab client's curl needs milliseconds,
// so anything slower is a stuck or hostile peer and is cut off.
const (
	responderTimeout = 2 * time.Second
	responderIdle    = 5 * time.Second
	responderHeaders = 4 << 10
)

// serveNodeName answers every HTTP request on l with "<node>\n", standing in
// for the pods behind a Service. Closing the returned server closes l and
// every open connection.
func serveNodeName(l net.Listener, node string) *http.Server {
	body := node + "\n"
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Lab-Node", node)
			io.WriteString(w, body)
		}),
		ReadHeaderTimeout: responderTimeout,
		ReadTimeout:       responderTimeout,
		WriteTimeout:      responderTimeout,
		IdleTimeout:       responderIdle,
		MaxHeaderBytes:    responderHeaders,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go srv.Serve(l) //nolint:errcheck // returns ErrServerClosed on Close
	return srv
}
