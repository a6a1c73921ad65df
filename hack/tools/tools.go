//go:build tools

// Package tools pins the versions of the code generators the product uses.
// It is a separate module so their dependencies never enter the product's go.mod.
package tools

import (
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
