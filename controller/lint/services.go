package lint

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/controller/config"
)

// serviceFindings collects the configuration core's findings about Services, such as
// deprecated metallb.universe.tf annotations.
//
// TEMPORARY: the configuration core's per-Service rule (config.ServiceFindings) has not
// landed yet; until it does, Services produce no findings and the examples test that
// expects the guide's deprecated annotation warning fails, as it should.
func serviceFindings(svcs []corev1.Service) config.Findings {
	var out config.Findings
	for range svcs {
		// out = append(out, config.ServiceFindings(&svcs[i])...)
	}
	return out
}
