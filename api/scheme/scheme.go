// Package scheme is the one runtime.Scheme every Kubernetes client of bgplb uses:
// the core kinds and MetalLB's metallb.io API in both served versions. (The
// manifest decoder keeps its own, narrower scheme on purpose: see
// config/manifest.Scheme.)
package scheme

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// New returns a scheme with the core Kubernetes types and metallb.io v1beta1 and
// v1beta2.
func New() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), v1beta1.AddToScheme(s), v1beta2.AddToScheme(s)); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	return s, nil
}
