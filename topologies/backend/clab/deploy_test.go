package clab

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newDeployer(t *testing.T, run Runner) (*Deployer, string) {
	t.Helper()
	dir := DeployDir(t.TempDir(), "demo")
	d, err := NewDeployer(run, slog.New(slog.NewTextHandler(io.Discard, nil)), dir)
	if err != nil {
		t.Fatal(err)
	}
	return d, dir
}

func demoDeployment(clabCreates bool) Deployment {
	return Deployment{
		Name:     "demo",
		Topology: "lab.clab.yml",
		Files: []DeployFile{
			{Path: "lab.clab.yml", Content: []byte("name: demo\n")},
			{Path: "k01.kind.yaml", Content: []byte("kind: DeployCluster\n")},
			{Path: "r1/frr.conf", Content: []byte("frr defaults datacenter\n")},
		},
		Clusters: []DeployCluster{{Name: "k01", Config: "k01.kind.yaml", Nodes: []string{"k01-control-plane", "k01-worker"}, CreatedByContainerlab: clabCreates}},
	}
}

func TestUpCreatesClusterThenDeploys(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.calls,
		checkCall,
		"kind get clusters",
		"kind create cluster --name k01 --config "+filepath.Join(dir, "k01.kind.yaml"),
		"containerlab deploy -t "+filepath.Join(dir, "lab.clab.yml")+" --reconfigure",
	)
	got, err := os.ReadFile(filepath.Join(dir, "r1", "frr.conf"))
	if err != nil || string(got) != "frr defaults datacenter\n" {
		t.Errorf("rendered file not written under %s: %q, %v", dir, got, err)
	}
	if !strings.HasSuffix(dir, filepath.Join("lab", "demo", "clab")) {
		t.Errorf("lab dir %s is not <out>/lab/<name>/clab", dir)
	}
}

func TestUpLeavesClusterToContainerlabWhenTopologyOwnsIt(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(true)); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.calls, checkCall, "kind get clusters",
		"containerlab deploy -t "+filepath.Join(dir, "lab.clab.yml")+" --reconfigure")
}

func TestUpReusesExistingCluster(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	f.replies["kind get clusters"] = reply{out: "other\nk01\n"}
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.calls, checkCall, "kind get clusters",
		"containerlab deploy -t "+filepath.Join(dir, "lab.clab.yml")+" --reconfigure")
}

func TestUpStopsAtFirstFailureAndSaysWhatIsDone(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	boom := errors.New("exit status 1: image ceos:4.32.0F not found")
	f.replies["containerlab deploy"] = reply{err: boom}
	d, _ := newDeployer(t, f)
	err := d.Up(context.Background(), demoDeployment(false))
	if !errors.Is(err, boom) {
		t.Fatalf("Up error = %v, want it to wrap the deploy failure", err)
	}
	for _, want := range []string{"containerlab deploy -t", "kind cluster k01 created", "lab down"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}

	f2 := newFake("docker", "containerlab", "kind")
	f2.replies["kind create cluster"] = reply{err: errors.New("exit status 1")}
	d2, _ := newDeployer(t, f2)
	if err := d2.Up(context.Background(), demoDeployment(false)); err == nil {
		t.Fatal("Up succeeded although kind create failed")
	}
	for _, c := range f2.calls {
		if strings.HasPrefix(c, "containerlab deploy") {
			t.Error("containerlab deploy ran after kind create failed")
		}
	}
}

func TestUpFailsAtOnceWhenToolsAreMissing(t *testing.T) {
	f := newFake("docker")
	f.replies["docker info"] = reply{err: errors.New("exit status 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\nmore advice")}
	d, dir := newDeployer(t, f)
	err := d.Up(context.Background(), demoDeployment(false))
	if !errors.Is(err, ErrMissingTools) {
		t.Fatalf("Up error = %v, want ErrMissingTools", err)
	}
	want := "containerlab backend needs Docker (docker info failed: exit status 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?: start the Docker daemon, e.g. systemctl start docker), containerlab (not on PATH: see https://containerlab.dev/install) and kind (not on PATH: go install sigs.k8s.io/kind@v0.30.0)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message:\n%v\nwant it to contain:\n%s", err, want)
	}
	wantCalls(t, f.calls, checkCall)
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Errorf("Up wrote %s before failing its check", dir)
	}
}

func TestCheckNamesOnlyWhatIsMissing(t *testing.T) {
	d, _ := newDeployer(t, newFake("docker", "containerlab"))
	err := d.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "needs kind (not on PATH") || strings.Contains(err.Error(), "Docker (") {
		t.Errorf("Check = %v, want only kind reported", err)
	}
	d, _ = newDeployer(t, newFake())
	if err := d.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "Docker (docker is not on PATH") {
		t.Errorf("Check = %v, want docker reported missing", err)
	}
	d, _ = newDeployer(t, newFake("docker", "containerlab", "kind"))
	if err := d.Check(context.Background()); err != nil {
		t.Errorf("Check with everything present = %v", err)
	}
}

func TestUpRejectsFilesOutsideTheLab(t *testing.T) {
	d, _ := newDeployer(t, newFake("docker", "containerlab", "kind"))
	lab := demoDeployment(false)
	lab.Files = append(lab.Files, DeployFile{Path: "../escape", Content: nil})
	lab.Topology = "missing.clab.yml"
	err := d.Up(context.Background(), lab)
	if err == nil || !strings.Contains(err.Error(), `"../escape"`) || !strings.Contains(err.Error(), `topology "missing.clab.yml"`) {
		t.Errorf("Up = %v, want both problems named", err)
	}
}

func TestDownDestroysThenDeletesClustersAndIsIdempotent(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(true)); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	if err := d.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.calls,
		"containerlab destroy -t "+filepath.Join(dir, "lab.clab.yml")+" --cleanup",
		"kind delete cluster --name k01",
	)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Down left %s behind", dir)
	}
	f.calls = nil
	if err := d.Down(context.Background()); err != nil {
		t.Errorf("second Down = %v, want success", err)
	}
	wantCalls(t, f.calls)
}

func TestDownToleratesDestroyOfAlreadyGoneLab(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, _ := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	f.replies["containerlab destroy"] = reply{err: errors.New("exit status 1: no containers found")}
	f.replies["containerlab inspect"] = reply{out: `{"demo": []}`}
	if err := d.Down(context.Background()); err != nil {
		t.Errorf("Down = %v, want success: inspect shows nothing left", err)
	}
}

func TestDownReportsEveryFailureAndKeepsState(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	destroyErr := errors.New("exit status 1: permission denied")
	kindErr := errors.New("exit status 1: docker daemon gone")
	f.replies["containerlab destroy"] = reply{err: destroyErr}
	f.replies["containerlab inspect"] = reply{out: `{"demo": [{"name": "clab-demo-r1", "state": "running"}]}`}
	f.replies["kind delete cluster"] = reply{err: kindErr}
	err := d.Down(context.Background())
	if !errors.Is(err, destroyErr) || !errors.Is(err, kindErr) {
		t.Fatalf("Down = %v, want both failures", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, deployStateFile)); statErr != nil {
		t.Errorf("state removed although Down failed: a retry could not clean up: %v", statErr)
	}
}

func TestExecPicksTheContainerName(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, _ := newDeployer(t, f)
	if _, err := d.Exec(context.Background(), "r1", "vtysh"); err == nil {
		t.Error("Exec before Up succeeded")
	}
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	f.replies["docker exec clab-demo-r1"] = reply{out: "{}"}
	out, err := d.Exec(context.Background(), "r1", "vtysh", "-c", "show bgp summary json")
	if err != nil || string(out) != "{}" {
		t.Fatalf("Exec = %q, %v", out, err)
	}
	if _, err := d.Exec(context.Background(), "k01-worker", "ip", "route"); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f.calls,
		"docker exec clab-demo-r1 vtysh -c show bgp summary json",
		"docker exec k01-worker ip route",
	)
}

func TestInspectParsesBothOutputShapes(t *testing.T) {
	f := newFake("docker", "containerlab", "kind")
	d, dir := newDeployer(t, f)
	if err := d.Up(context.Background(), demoDeployment(false)); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		`{"demo": [{"lab_name": "demo", "name": "clab-demo-r2", "kind": "linux", "image": "quay.io/frrouting/frr:9.1.0", "state": "running", "ipv4_address": "172.20.20.3/24", "ipv6_address": "3fff:172:20:20::3/64", "owner": "root"},
		           {"lab_name": "demo", "name": "clab-demo-r1", "kind": "linux", "state": "running", "ipv4_address": "172.20.20.2/24"}]}`,
		`{"containers": [{"lab_name": "demo", "name": "clab-demo-r2", "kind": "linux", "image": "quay.io/frrouting/frr:9.1.0", "state": "running", "ipv4_address": "172.20.20.3/24", "ipv6_address": "3fff:172:20:20::3/64"},
		                 {"lab_name": "demo", "name": "clab-demo-r1", "kind": "linux", "state": "running", "ipv4_address": "172.20.20.2/24"}]}`,
	} {
		f.calls = nil
		f.replies["containerlab inspect"] = reply{out: out}
		cs, err := d.Inspect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantCalls(t, f.calls, "containerlab inspect -t "+filepath.Join(dir, "lab.clab.yml")+" --format json")
		if len(cs) != 2 || cs[0].Name != "clab-demo-r1" || cs[1].IPv4 != "172.20.20.3/24" || cs[1].State != "running" || cs[1].Image != "quay.io/frrouting/frr:9.1.0" {
			t.Errorf("Inspect = %+v", cs)
		}
	}
	f.replies["containerlab inspect"] = reply{out: "INFO Parsing & checking topology file"}
	if _, err := d.Inspect(context.Background()); err == nil {
		t.Error("Inspect accepted non-JSON output")
	}
}
