package k8s

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ClientConfig builds the apiserver client configuration: from the kubeconfig file
// when one is given, else in-cluster (service account). qps and burst replace
// client-go's 5/10 defaults, which would throttle the controller to a few Services
// per second (each allocation costs a status and an annotation write).
func ClientConfig(kubeconfig string, qps float32, burst int, userAgent string) (*rest.Config, error) {
	var (
		cfg *rest.Config
		err error
	)
	if kubeconfig == "" {
		if cfg, err = rest.InClusterConfig(); err != nil {
			return nil, fmt.Errorf("no --kubeconfig and not in a cluster: %w", err)
		}
	} else if cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
	}
	cfg.QPS, cfg.Burst, cfg.UserAgent = qps, burst, userAgent
	return cfg, nil
}
