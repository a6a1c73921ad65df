package controlplane

import (
	"fmt"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// layout is where one control plane's files and ports are. Every path is
// absolute and under stateDir, which is how Cleanup recognises the processes.
type layout struct {
	stateDir, pkiDir              string
	etcdClient, etcdPeer, apiPort int
	serviceCIDRs                  string
}

func (l layout) etcdURL() string { return fmt.Sprintf("http://127.0.0.1:%d", l.etcdClient) }

func (l layout) etcd(bin string) Command {
	peer := fmt.Sprintf("http://127.0.0.1:%d", l.etcdPeer)
	return Command{
		Name:    "etcd",
		Path:    bin,
		LogPath: filepath.Join(l.stateDir, "etcd.log"),
		Args: []string{
			"--name=lab",
			"--data-dir=" + filepath.Join(l.stateDir, "etcd"),
			"--listen-client-urls=" + l.etcdURL(),
			"--advertise-client-urls=" + l.etcdURL(),
			"--listen-peer-urls=" + peer,
			"--initial-advertise-peer-urls=" + peer,
			"--initial-cluster=lab=" + peer,
			// Lab data is thrown away at the next start: durability buys nothing
			// and fsync is the slowest part of every write on a shared disk.
			"--unsafe-no-fsync=true",
			"--log-level=warn",
		},
	}
}

func (l layout) apiserver(bin string) Command {
	pki := func(f string) string { return filepath.Join(l.pkiDir, f) }
	return Command{
		Name:    "kube-apiserver",
		Path:    bin,
		LogPath: filepath.Join(l.stateDir, "kube-apiserver.log"),
		Args: []string{
			"--bind-address=127.0.0.1",
			"--advertise-address=127.0.0.1",
			fmt.Sprintf("--secure-port=%d", l.apiPort),
			"--etcd-servers=" + l.etcdURL(),
			"--cert-dir=" + l.pkiDir,
			"--tls-cert-file=" + pki(servingFile),
			"--tls-private-key-file=" + pki(servingKeyFile),
			"--client-ca-file=" + pki(caFile),
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file=" + pki(saPubFile),
			"--service-account-signing-key-file=" + pki(saKeyFile),
			"--service-cluster-ip-range=" + l.serviceCIDRs,
			// RBAC like a real cluster; the admin certificate is in system:masters.
			"--authorization-mode=RBAC",
			"--allow-privileged=true",
			// Without kube-controller-manager no "default" ServiceAccount is ever
			// created, and this plugin would reject every Pod for lack of it.
			"--disable-admission-plugins=ServiceAccount",
			"--profiling=false",
		},
	}
}

func (l layout) restConfig(keys *pki) *rest.Config {
	return &rest.Config{
		Host: fmt.Sprintf("https://127.0.0.1:%d", l.apiPort),
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   keys.caPEM,
			CertData: keys.adminPEM,
			KeyData:  keys.adminKey,
		},
		// client-go's default of 5 requests/s would make the harness, not the
		// apiserver, the bottleneck of every benchmark.
		QPS:   500,
		Burst: 1000,
	}
}

// writeKubeconfig writes a self-contained admin kubeconfig (certificates
// embedded) that kubectl, the controller and the lab CLI can all use.
func writeKubeconfig(path string, cfg *rest.Config, keys *pki) error {
	const name = "bgplb-lab"
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: keys.caPEM}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificateData: keys.adminPEM, ClientKeyData: keys.adminKey}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: "default"}
	kc.CurrentContext = name
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}
