package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	speakerk8s "github.com/bgplb/bgplb/speaker/k8s"
)

// Connect builds a client from a kubeconfig: the file given, else $KUBECONFIG, else
// ~/.kube/config (kubectl's rules), with the kubeconfig's current context.
func Connect(kubeconfig string) (client.Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return newClient(cfg)
}

func newClient(cfg *rest.Config) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "bgplb-cli"
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second // a one-shot command should fail, not hang
	}
	scheme, err := speakerk8s.Scheme()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// Read lists everything the operator tools need: configuration, Secrets and
// ConfigurationStates in ns; Nodes, Namespaces, Services and EndpointSlices
// cluster-wide (Services live in every namespace). Every list must succeed: a report
// built from half a cluster would explain announcements wrongly.
func Read(ctx context.Context, c client.Reader, ns string) (Objects, error) {
	res, err := speakerk8s.ListResources(ctx, c, ns)
	if err != nil {
		return Objects{}, fmt.Errorf("in %s: %w", ns, err)
	}
	var (
		states v1beta1.ConfigurationStateList
		nodes  corev1.NodeList
		nss    corev1.NamespaceList
		svcs   corev1.ServiceList
		eps    discoveryv1.EndpointSliceList
	)
	if err := c.List(ctx, &states, client.InNamespace(ns)); err != nil {
		return Objects{}, fmt.Errorf("list ConfigurationStates in %s: %w", ns, err)
	}
	for _, l := range []client.ObjectList{&nodes, &nss, &svcs, &eps} {
		if err := c.List(ctx, l); err != nil {
			return Objects{}, fmt.Errorf("list %T: %w", l, err)
		}
	}
	res.Nodes, res.Namespaces = nodes.Items, nss.Items
	return Objects{Resources: res, Services: svcs.Items, Slices: eps.Items, ConfigStates: states.Items}, nil
}
