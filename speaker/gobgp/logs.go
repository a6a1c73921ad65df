package gobgp

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	gobgplog "github.com/osrg/gobgp/v3/pkg/log"
	"github.com/osrg/gobgp/v3/pkg/packet/bgp"
)

const redacted = "<redacted>"

// logBridge is GoBGP's logger: it forwards to slog with every configured password
// scrubbed from messages and fields (GoBGP logs whole neighbor configs at debug
// level), and it remembers the reason of the last "Peer Down" per neighbor address,
// which GoBGP's peer-state events do not carry.
type logBridge struct {
	log *slog.Logger

	mu      sync.Mutex
	secrets []string
	down    map[string]string // neighbor address -> last down reason
	// badPeerAS, when set, is told of every OPEN GoBGP refused for its AS: the
	// neighbor address, the AS GoBGP expected and the one the router sent. It is
	// set once, before GoBGP runs, and must not block.
	badPeerAS func(addr string, expected, received uint32)
	perPath   map[string]int // per-path warning -> how many were folded into a count
}

// perPathWarnings are GoBGP warnings it logs once per route when a table is torn
// down (stopping a speaker with 10,000 routes printed 10,000 of them). The first
// of each is logged as is; the rest are counted and reported once by flush.
var perPathWarnings = []string{"No matching path for withdraw found"}

var _ gobgplog.Logger = (*logBridge)(nil)

func newLogBridge(l *slog.Logger) *logBridge {
	return &logBridge{log: l, down: map[string]string{}, perPath: map[string]int{}}
}

// setSecrets replaces the passwords to scrub.
func (b *logBridge) setSecrets(secrets []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.secrets = b.secrets[:0]
	for _, s := range secrets {
		if s != "" {
			b.secrets = append(b.secrets, s)
		}
	}
}

// scrub removes every known password from s.
func (b *logBridge) scrub(s string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, sec := range b.secrets {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	return s
}

// downReason returns (and keeps) the last recorded down reason for addr.
func (b *logBridge) downReason(addr string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.down[addr]
}

func (b *logBridge) emit(level slog.Level, msg string, fields gobgplog.Fields) {
	if msg == "sent notification" && b.badPeerAS != nil {
		if key, ok := fields["Key"].(string); ok {
			if exp, got, ok := badPeerAS(fields["Data"]); ok {
				b.badPeerAS(key, exp, got)
			}
		}
	}
	if msg == "Peer Down" {
		if key, ok := fields["Key"].(string); ok {
			b.mu.Lock()
			b.down[key] = fmt.Sprint(fields["Reason"])
			b.mu.Unlock()
		}
	}
	if level >= slog.LevelWarn && b.folded(msg) {
		return
	}
	if !b.log.Enabled(context.Background(), level) {
		return
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]any, 0, 2*len(keys)+2)
	for _, k := range keys {
		attrs = append(attrs, k, b.scrub(fmt.Sprint(fields[k])))
	}
	b.log.Log(context.Background(), level, b.scrub(msg), attrs...)
}

// folded counts a per-path warning after its first occurrence and says whether
// it should be dropped from the log.
func (b *logBridge) folded(msg string) bool {
	for _, w := range perPathWarnings {
		if strings.HasPrefix(msg, w) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.perPath[w]++
			return b.perPath[w] > 1
		}
	}
	return false
}

// flush logs, once, how many per-path warnings were folded since the last flush.
func (b *logBridge) flush() {
	b.mu.Lock()
	counts := b.perPath
	b.perPath = map[string]int{}
	b.mu.Unlock()
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		if n := counts[w]; n > 1 {
			b.log.Info("GoBGP repeated a per-route message", "message", w, "more", n-1)
		}
	}
}

func (b *logBridge) Panic(msg string, f gobgplog.Fields) {
	b.emit(slog.LevelError, msg, f)
	panic(b.scrub(msg))
}

// Fatal does not exit: only the speaker's main decides when the process ends.
func (b *logBridge) Fatal(msg string, f gobgplog.Fields) { b.emit(slog.LevelError, msg, f) }
func (b *logBridge) Error(msg string, f gobgplog.Fields) { b.emit(slog.LevelError, msg, f) }
func (b *logBridge) Warn(msg string, f gobgplog.Fields)  { b.emit(slog.LevelWarn, msg, f) }
func (b *logBridge) Info(msg string, f gobgplog.Fields)  { b.emit(slog.LevelInfo, msg, f) }
func (b *logBridge) Debug(msg string, f gobgplog.Fields) { b.emit(slog.LevelDebug, msg, f) }

// SetLevel is ignored: the slog handler decides.
func (b *logBridge) SetLevel(gobgplog.LogLevel) {}

// GetLevel tells GoBGP whether to build debug messages at all (it checks this in
// its hot paths).
func (b *logBridge) GetLevel() gobgplog.LogLevel {
	if b.log.Enabled(context.Background(), slog.LevelDebug) {
		return gobgplog.DebugLevel
	}
	return gobgplog.InfoLevel
}

// badPeerAS recognises the error GoBGP sends in a NOTIFICATION when a router's OPEN
// carries another AS than the neighbor's peer-as (OPEN Message Error, Bad Peer AS)
// and reads the two numbers from it: GoBGP's events do not carry them.
func badPeerAS(data any) (expected, received uint32, ok bool) {
	e, isMsg := data.(*bgp.MessageError)
	if !isMsg || e.TypeCode != bgp.BGP_ERROR_OPEN_MESSAGE_ERROR || e.SubTypeCode != bgp.BGP_ERROR_SUB_BAD_PEER_AS {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(e.Message, "as number mismatch expected %d, received %d", &expected, &received); err != nil {
		return 0, 0, false
	}
	return expected, received, true
}
