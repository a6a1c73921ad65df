package allocator

import (
	"errors"
	"fmt"
)

// Kinds of failure. Every error the allocator returns is an *Error whose Kind is one
// of these, so callers test with errors.Is and still print a message fit for a
// Kubernetes event.
var (
	// ErrInvalidRequest: the request itself is malformed (bad requested IPs, both
	// the annotation and spec.loadBalancerIP set). MetalLB's LoadBalancerFailed.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrFamily: the addresses do not fit the Service's IP families.
	ErrFamily = errors.New("IP family mismatch")
	// ErrUnknownPool: the requested pool does not exist.
	ErrUnknownPool = errors.New("unknown pool")
	// ErrNotInPool: a requested or held address is in no pool (or is a buggy
	// address of an avoidBuggyIPs pool), or the addresses span two pools.
	ErrNotInPool = errors.New("IP not in a pool")
	// ErrPoolMismatch: the address is in a pool other than the one requested.
	ErrPoolMismatch = errors.New("IP not in the requested pool")
	// ErrNotAllowed: the pool's serviceAllocation does not select the Service.
	ErrNotAllowed = errors.New("pool does not allow service")
	// ErrInUse: the address is held by a Service it may not be shared with.
	ErrInUse = errors.New("IP in use")
	// ErrRequestChanged: the Service now asks for other addresses or another pool
	// than it holds (only ever a Result.ClearReason).
	ErrRequestChanged = errors.New("request changed")
	// ErrNoAvailableIPs: no eligible pool has a free address of the right family.
	ErrNoAvailableIPs = errors.New("no available IPs")
)

// Error is an allocation failure: Kind says what went wrong, Msg says it to a user.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is match the Kind.
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// EventReason is the MetalLB event reason for err: LoadBalancerFailed for a
// malformed request, AllocationFailed for everything else.
func EventReason(err error) string {
	if errors.Is(err, ErrInvalidRequest) {
		return "LoadBalancerFailed"
	}
	return "AllocationFailed"
}
