package serviceplane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestResponderAnswersWithNodeName(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveNodeName(l, "node1")
	t.Cleanup(func() { srv.Close() })

	resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + l.Addr().String() + "/anything")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "node1\n" || resp.Header.Get("X-Lab-Node") != "node1" {
		t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// A client that connects and sends nothing is cut off by the read deadline.
func TestResponderCutsOffSilentClients(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveNodeName(l, "node1")
	t.Cleanup(func() { srv.Close() })
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetDeadline(time.Now().Add(3 * responderTimeout))
	_, err = bufio.NewReader(c).ReadString('\n')
	if err == nil || time.Since(start) > 2*responderTimeout {
		t.Fatalf("silent connection not closed in time: err=%v after %v", err, time.Since(start))
	}

	// Close ends the listener as well.
	srv.Close()
	if _, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		t.Fatal("listener still accepts after Close")
	}
}

func TestParseArgs(t *testing.T) {
	opts, _, err := parseArgs([]string{"--kubeconfig", "kc", "--node", "node1=ns1", "--node", "node2=ns2", "--address", "node1=192.0.2.11", "--address", "node1=2001:db8::11"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Kubeconfig != "kc" || opts.Nodes["node1"] != "ns1" || opts.Nodes["node2"] != "ns2" || len(opts.Addresses["node1"]) != 2 {
		t.Fatalf("opts %+v", opts)
	}
	_, _, err = parseArgs([]string{"--node", "node1=a", "--node", "node1=b", "--address", "node9=x", "--log-level", "loud", "extra"}, io.Discard)
	for _, want := range []string{"--kubeconfig is required", "node1 given 2 times", "no --node node9", "not an IP", "--log-level", "unexpected arguments"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestNewRejectsNonLoopbackAPIServer(t *testing.T) {
	_, err := New(Options{Kubeconfig: "", Nodes: map[string]string{"node1": "a/b"}})
	for _, want := range []string{"RESTConfig or Options.Kubeconfig", `Options.Nodes["node1"]`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	for server, ok := range map[string]bool{"https://127.0.0.1:6443": true, "https://[::1]:6443": true, "https://192.0.2.1:6443": false, "https://kube:6443": false} {
		_, err := loopbackHostPort(server)
		if (err == nil) != ok {
			t.Errorf("%s: err=%v", server, err)
		}
	}
}

func TestMainExitCodes(t *testing.T) {
	var stderr strings.Builder
	if code := Main(t.Context(), []string{"--node", "node1=ns1"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "--kubeconfig is required") {
		t.Errorf("missing kubeconfig: code %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := Main(t.Context(), []string{"--kubeconfig", "/nonexistent/kubeconfig", "--node", "node1=ns1"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "/nonexistent/kubeconfig") {
		t.Errorf("unreadable kubeconfig: code %d, stderr %q", code, stderr.String())
	}
	if code := Main(t.Context(), []string{"-h"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h: code %d", code)
	}
}
