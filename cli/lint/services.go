package lint

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/config"
)

// serviceFindings collects the configuration core's findings about Services, such as
// deprecated metallb.universe.tf annotations. Services are not part of the
// configuration snapshot, so For cannot see them; the core checks them one by one.
func serviceFindings(svcs []corev1.Service) config.Findings {
	var out config.Findings
	for i := range svcs {
		out = append(out, config.ServiceFindings(&svcs[i])...)
	}
	return out
}
