package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// applyManifests applies the metallb-system namespace, the Nodes, and the lab's
// MetalLB objects (derived from the BGP intent, or the topology's own files).
func (u *upper) applyManifests(ctx context.Context, c client.Client) error {
	m := u.lab.Manifests()
	objs := []client.Object{namespaceObject(model.Namespace)}
	for i := range m.Nodes {
		objs = append(objs, &m.Nodes[i])
	}
	rest, err := manifestObjects(m, u.src.Dir)
	if err != nil {
		return err
	}
	objs = append(objs, rest...)
	var errs []error
	for _, o := range objs {
		errs = append(errs, apply(ctx, c, o))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	u.o.Progress(fmt.Sprintf("applied %d objects (%d nodes, %d BGP peers)", len(objs), len(m.Nodes), len(m.Peers)))
	return nil
}

// startProcesses starts what exists of the product (bin/controller on the host,
// bin/speaker in each k8s node) and the lab's service plane. The product binaries are
// placeholders until their issues land: they exit at once, which status reports.
func (u *upper) startProcesses(ctx context.Context) error {
	bin, _ := filepath.Abs(filepath.Join(u.o.RepoDir, "bin"))
	hostLogs := filepath.Join(u.rec.Dir, "host")
	if err := os.MkdirAll(hostLogs, 0o755); err != nil {
		return err
	}
	ctrl := filepath.Join(bin, "controller")
	if isExecutable(ctrl) {
		hp, err := startHost("controller", []string{ctrl, "--kubeconfig", u.rec.Kubeconfig}, filepath.Join(hostLogs, "controller.log"))
		if err != nil {
			return err
		}
		u.rec.HostProcesses = append(u.rec.HostProcesses, hp)
		if hp.ExitCode != nil {
			u.rec.note("bin/controller exited at once (code %d): Service IPs stay pending until the controller (issue #4) lands", *hp.ExitCode)
		}
	} else {
		u.rec.note("no %s: run `make build`; Service IPs stay pending without a controller", ctrl)
	}
	if len(u.o.AgentArgs) > 0 {
		args := append(append([]string{}, u.o.AgentArgs...), "--kubeconfig", u.rec.Kubeconfig)
		for _, n := range u.lab.NodesWithRole(model.RoleK8sNode) {
			args = append(args, "--node", n.Name+"="+u.namespace(ctx, n.Name))
		}
		hp, err := startHost("serviceplane", args, filepath.Join(hostLogs, "serviceplane.log"))
		if err != nil {
			return err
		}
		u.rec.HostProcesses = append(u.rec.HostProcesses, hp)
		if hp.ExitCode != nil {
			return fmt.Errorf("the lab's service plane exited at once (code %d): see %s", *hp.ExitCode, hp.Log)
		}
	} else {
		u.rec.note("no service plane (lab agent) was started: Service IPs will not answer in the nodes")
	}
	speaker := filepath.Join(bin, "speaker")
	if !isExecutable(speaker) {
		u.rec.note("no %s: run `make build`; nodes run no speaker", speaker)
		return nil
	}
	var errs []error
	for _, n := range u.lab.NodesWithRole(model.RoleK8sNode) {
		errs = append(errs, u.o.Backend.Start(ctx, u.lab.Name, n.Name, backend.Process{Name: "speaker",
			Args: []string{speaker, "--node-name", n.Name, "--kubeconfig", u.rec.Kubeconfig}}))
	}
	return errors.Join(errs...)
}

// namespace is the node's namespace as the backend reports it.
func (u *upper) namespace(ctx context.Context, node string) string {
	st, err := u.o.Backend.Inspect(ctx, u.lab.Name)
	if err == nil {
		for _, n := range st.Nodes {
			if n.Name == node {
				return n.Namespace
			}
		}
	}
	return model.Tag(u.lab.Name) + "-" + node
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 && !strings.HasSuffix(p, "/")
}
