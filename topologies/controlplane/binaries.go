package controlplane

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Binaries are the two programs a control plane runs.
type Binaries struct {
	APIServer string
	Etcd      string
}

// Environment variables that point at the binaries. Ours win over envtest's
// TEST_ASSET_* so a developer can keep both set.
const (
	EnvAPIServer      = "BGPLB_KUBE_APISERVER"
	EnvEtcd           = "BGPLB_ETCD"
	EnvAssetAPIServer = "TEST_ASSET_KUBE_APISERVER"
	EnvAssetEtcd      = "TEST_ASSET_ETCD"
)

// productModule is the go.mod line that marks the repository root, where
// `make controlplane-tools` puts the binaries under .cache/bin.
const productModule = "module github.com/bgplb/bgplb\n"

// FindBinaries locates kube-apiserver and etcd: the given paths first, then
// $BGPLB_KUBE_APISERVER/$BGPLB_ETCD, then envtest's TEST_ASSET_*, then
// .cache/bin of the repository that contains dir (walking up to its go.mod).
// The error says which file is missing and how to build it, so tests can skip
// with it verbatim.
func FindBinaries(given Binaries, getenv func(string) string, dir string) (Binaries, error) {
	root, rootErr := moduleRoot(dir)
	pick := func(explicit, env, asset, name string) (string, error) {
		for _, p := range []string{explicit, getenv(env), getenv(asset)} {
			if p != "" {
				return checkExecutable(p)
			}
		}
		if rootErr != nil {
			return "", fmt.Errorf("%s: set %s or %s: %w", name, env, asset, rootErr)
		}
		p, err := checkExecutable(filepath.Join(root, ".cache", "bin", name))
		if err != nil {
			return "", fmt.Errorf("%w (build it with `make controlplane-tools`, or set %s)", err, env)
		}
		return p, nil
	}
	api, apiErr := pick(given.APIServer, EnvAPIServer, EnvAssetAPIServer, "kube-apiserver")
	etcd, etcdErr := pick(given.Etcd, EnvEtcd, EnvAssetEtcd, "etcd")
	if err := errors.Join(apiErr, etcdErr); err != nil {
		return Binaries{}, err
	}
	return Binaries{APIServer: api, Etcd: etcd}, nil
}

func checkExecutable(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("binary %s: %w", p, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("binary %s: %w", abs, err)
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("binary %s is not an executable file", abs)
	}
	return abs, nil
}

// moduleRoot walks up from dir to the directory whose go.mod declares the
// product module (tools modules below it have go.mod files of their own).
func moduleRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && (bytes.HasPrefix(data, []byte(productModule)) || bytes.Contains(data, []byte("\n"+productModule))) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod of github.com/bgplb/bgplb above %s", dir)
		}
		d = parent
	}
}
