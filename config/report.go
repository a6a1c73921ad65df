package config

import "fmt"

// Kinds of the objects findings name.
const (
	KindIPAddressPool    = "IPAddressPool"
	KindBGPPeer          = "BGPPeer"
	KindBGPAdvertisement = "BGPAdvertisement"
	KindL2Advertisement  = "L2Advertisement"
	KindCommunity        = "Community"
	KindBFDProfile       = "BFDProfile"
	KindService          = "Service"
)

// ref names the object a finding is about.
type ref struct{ kind, name string }

// report collects findings while For walks the resources. Rules never stop at the
// first problem: they record it and carry on, so the user sees everything at once.
type report struct{ fs Findings }

func (r *report) add(sev Severity, o ref, field, code, hint, format string, args ...any) {
	r.fs = append(r.fs, Finding{
		Severity: sev,
		Code:     code,
		Kind:     o.kind,
		Name:     o.name,
		Field:    field,
		Message:  fmt.Sprintf(format, args...),
		Hint:     hint,
	})
}

// errorf records an error: the configuration cannot be used as written.
func (r *report) errorf(o ref, field, code, hint, format string, args ...any) {
	r.add(SeverityError, o, field, code, hint, format, args...)
}

// warnf records a warning: we accepted the configuration, and say what we did.
func (r *report) warnf(o ref, field, code, hint, format string, args ...any) {
	r.add(SeverityWarning, o, field, code, hint, format, args...)
}

// idx renders a field path element such as "spec.addresses[1]".
func idx(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
