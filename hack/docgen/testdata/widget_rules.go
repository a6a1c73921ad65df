// Package widget is input for the findings golden test: one rule of each shape the
// renderer resolves (literal, package const, local const, local assignment,
// fmt.Sprintf, idx, concatenation with a run-time value).
package widget

import "fmt"

const portHint = "use a port between 1 and 16384"

func (b *builder) widget(o ref, port int, names []string) {
	if port > 16384 {
		b.errorf(o, "spec.port", "widget-port", portHint, "port %d is above 16384", port)
	}
	const hold = "use holdTime 0 or at least 3s"
	b.errorf(o, "spec.hold", "widget-hold", hold, "hold time %s is invalid", port)
	for i, n := range names {
		hint := "rename " + n + " or delete it"
		b.warnf(o, idx("spec.names", i), "widget-name", hint, "name %q is unused", n)
	}
	b.warnf(o, "", "widget-mode", fmt.Sprintf("write %q", names[0]), "mode is deprecated")
}
