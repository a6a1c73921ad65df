# bgplb — build, test and lab entry points. Every tool the targets need is built or
# installed by the targets themselves. Expensive builds (kube-apiserver, etcd, controller-gen)
# are cached outside the clone in $(TOOLCACHE) (default ~/.cache/bgplb), one folder per
# tool version, so a fresh clone (CI) reuses them; `make clean-cache` removes them.

SHELL        := /bin/bash
GO           ?= go
BIN          := bin
TOOLCACHE    ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/bgplb
# The key of a tool build is its module's go.sum: a version bump is a new folder.
toolkey       = $(shell cat $(1)/go.mod $(1)/go.sum | sha256sum | cut -c1-12)
# .cache/bin in the clone holds links to the cached builds, where `go test` run by hand
# (without make's environment) finds them.
TOOLBIN      := $(CURDIR)/.cache/bin
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -X github.com/bgplb/bgplb/internal/version.Version=$(VERSION)
CONTROLLER_GEN := $(TOOLCACHE)/controller-gen-$(call toolkey,hack/tools)/controller-gen
export GOFLAGS := -buildvcs=false

.PHONY: all build test test-unit test-integration test-e2e-fast generate verify-generated tools clean \
        lab-up lab-down bench e2e fmt vet

all: build

## build: the three binaries into bin/
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/bgplb ./cmd/speaker ./cmd/controller

## test: everything that exists — unit, generated-file check, integration when root
test: build verify-generated vet test-unit test-integration test-e2e-fast

test-unit:
	$(GO) test -short -count=1 ./...

# Integration tests need root (namespaces), the lab packages and the apiserver build.
# They skip themselves, saying why, when something they need is missing.
test-integration: packages controlplane-tools
	$(GO) test -count=1 -run 'TestIntegration' -timeout 30m ./...

## test-e2e-fast: the Ginkgo suites labelled speed:fast (BFD, multi-DC failover, policy)
## on the namespace backend; they skip, saying why, without root, FRR or the apiserver.
E2E_OUT := $(CURDIR)/out/e2e
test-e2e-fast: packages controlplane-tools build
	BGPLB_E2E_OUT=$(E2E_OUT) $(GO) test -count=1 -timeout 30m ./suites/ -ginkgo.label-filter='speed:fast' \
	  -ginkgo.junit-report=$(E2E_OUT)/junit-fast.xml

## e2e: every suite; JUnit and JSON reports, timings.json and one SVG timeline per
## scenario under out/e2e/, and a table of the measured times at the end.
e2e: packages controlplane-tools build
	@mkdir -p out
	@set -o pipefail; BGPLB_E2E_OUT=$(E2E_OUT) $(GO) test -count=1 -timeout 60m -v ./suites/ \
	  -ginkgo.junit-report=$(E2E_OUT)/junit.xml -ginkgo.json-report=$(E2E_OUT)/report.json 2>&1 \
	  | tee out/e2e.log | grep --line-buffered -E 'SECONDS|^[a-z0-9-]+ {2,}.* [0-9./]+$$|reports and timelines|Passed|^(ok|FAIL|---)'; \
	 rc=$$?; echo "full log: out/e2e.log"; exit $$rc

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## generate: deepcopy and CRD YAML from api/, and the chart's copy of the CRDs
generate: $(CONTROLLER_GEN)
	$(CONTROLLER_GEN) object paths=./api/...
	$(CONTROLLER_GEN) crd:crdVersions=v1 paths=./api/... output:crd:artifacts:config=deploy/crds
	@# v1beta1 BGPPeer is served only; its stored form is v1beta2 (see api/v1beta1/bgppeer_types.go).
	$(MAKE) -s chart-crds

## docs: docs/reference.md from the CRD schemas and config's findings
## (hack/docgen; a test fails when it is stale)
.PHONY: docs
docs:
	$(GO) run ./hack/docgen -crds deploy/crds -config config -o docs/reference.md

## chart-crds: the chart renders its CRDs as templates (so upgrades change them) from
## files/crds, a copy of deploy/crds
.PHONY: chart-crds
chart-crds:
	mkdir -p deploy/helm/bgplb/files/crds
	rm -f deploy/helm/bgplb/files/crds/*.yaml
	cp deploy/crds/metallb.io_*.yaml deploy/helm/bgplb/files/crds/

## image: the controller and speaker images (docker or podman; IMAGE_REPO, VERSION)
IMAGE_REPO ?= ghcr.io/bgplb
.PHONY: image
image:
	@eng=$$(command -v docker || command -v podman || true); \
	 if [ -z "$$eng" ]; then \
	   echo "make image: neither docker nor podman is installed; on this machine build the binaries with" >&2; \
	   echo "  CGO_ENABLED=0 make build   (static; deploy/Dockerfile shows the image layout)" >&2; exit 1; fi; \
	 if ! $$eng info >/dev/null 2>&1; then \
	   echo "make image: $$eng is installed but cannot reach its engine (is the daemon running? are you allowed to use it?)" >&2; exit 1; fi; \
	 for t in controller speaker; do \
	   echo "building $(IMAGE_REPO)/bgplb-$$t:$(VERSION) with $$eng"; \
	   $$eng build -f deploy/Dockerfile --target $$t --build-arg VERSION=$(VERSION) \
	     -t $(IMAGE_REPO)/bgplb-$$t:$(VERSION) . || exit 1; done

## verify-generated: fails when generated files are stale
verify-generated: $(CONTROLLER_GEN)
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	 cp -r api deploy/crds $$tmp/ && mkdir $$tmp/chartcrds && cp deploy/helm/bgplb/files/crds/* $$tmp/chartcrds/ && \
	 $(MAKE) -s generate >/dev/null && \
	 if ! git diff --quiet --no-index $$tmp/crds deploy/crds || ! diff -r $$tmp/api api >/dev/null || \
	    ! diff -r $$tmp/chartcrds deploy/helm/bgplb/files/crds >/dev/null; then \
	   echo "generated files are stale: run 'make generate' and commit the result" >&2; \
	   diff -r $$tmp/crds deploy/crds | head -40 >&2; exit 1; fi

tools: $(CONTROLLER_GEN)

$(CONTROLLER_GEN):
	@hack/timed "building controller-gen into $(@D)" sh -c 'cd hack/tools && GOBIN=$(@D) $(GO) install sigs.k8s.io/controller-tools/cmd/controller-gen'

## packages: Debian packages the lab and integration tests use (root only; no-op when present)
packages:
	@need=""; \
	 for p in frr bird2 gobgpd openbgpd iproute2 iputils-ping procps util-linux curl; do dpkg -s $$p >/dev/null 2>&1 || need="$$need $$p"; done; \
	 if [ -n "$$need" ]; then \
	   if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$need (run as root to install)"; \
	   else echo "installing Debian packages:$$need"; apt-get update -qq && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; fi; fi

clean:
	rm -rf $(BIN) out

## controlplane-tools: kube-apiserver 1.34 and etcd 3.5 built from the Go module proxy into
## $(TOOLCACHE) for the lab and the integration tests (hack/tools/k8s/*: modules of their own,
## so the product's go.mod never sees k8s.io/kubernetes), linked from .cache/bin and exported
## to the tests as BGPLB_KUBE_APISERVER / BGPLB_ETCD. Cold build ~5 min on 2 cores; then a no-op.
KUBE_APISERVER := $(TOOLCACHE)/kube-apiserver-$(call toolkey,hack/tools/k8s/apiserver)/kube-apiserver
ETCD           := $(TOOLCACHE)/etcd-$(call toolkey,hack/tools/k8s/etcd)/etcd
export BGPLB_KUBE_APISERVER := $(KUBE_APISERVER)
export BGPLB_ETCD           := $(ETCD)
.PHONY: controlplane-tools
controlplane-tools: $(KUBE_APISERVER) $(ETCD)
	@mkdir -p $(TOOLBIN) && ln -sf $(KUBE_APISERVER) $(TOOLBIN)/kube-apiserver && ln -sf $(ETCD) $(TOOLBIN)/etcd

# The version variables make the binary report v1.34.x instead of v0.0.0-master
# (clients and feature gates look at it); the version is read from go.mod so
# bumping the module is the only edit needed. Built into a temporary name and moved, so
# an interrupted build never leaves a binary that looks cached.
$(KUBE_APISERVER):
	@mkdir -p $(@D)
	@cd hack/tools/k8s/apiserver && \
	 v=$$($(GO) list -m -f '{{.Version}}' k8s.io/kubernetes) && mm=$${v#v} && \
	 pkg=k8s.io/component-base/version && \
	 ../../../timed "building kube-apiserver $$v into $(@D) (cold: ~5 min on 2 cores)" \
	 $(GO) build -trimpath -ldflags "-s -w \
	   -X $$pkg.gitVersion=$$v -X $$pkg.gitMajor=$${mm%%.*} \
	   -X $$pkg.gitMinor=$$(echo $$mm | cut -d. -f2) \
	   -X $$pkg.gitTreeState=clean -X $$pkg.buildDate=1970-01-01T00:00:00Z" \
	   -o $@.tmp k8s.io/kubernetes/cmd/kube-apiserver && mv $@.tmp $@

$(ETCD):
	@mkdir -p $(@D)
	@cd hack/tools/k8s/etcd && ../../../timed "building etcd into $(@D) (cold: ~1 min)" \
	 $(GO) build -trimpath -ldflags "-s -w" -o $@.tmp go.etcd.io/etcd/server/v3 && mv $@.tmp $@

## clean-cache: remove every cached tool build and image (they rebuild on demand)
.PHONY: clean-cache
clean-cache:
	rm -rf $(TOOLCACHE) .cache

## bench-allocator: allocate all 65,534 addresses of a /16 one by one; prints ns/alloc for
## the first vs the last 1,000 and their ratio, next to a naive rescan-from-start baseline
## measured in the same run.
.PHONY: bench-allocator
bench-allocator:
	$(GO) test -run '^$$' -bench '^BenchmarkAllocateSlash16$$' -benchtime 5x ./controller/allocator/

## lab-up: Debian packages, apiserver/etcd, binaries, then `bgplb lab up` of LAB (default two-dc)
## and its status with the curl command to try. lab-down removes it; lab-status shows it.
LAB ?= two-dc
.PHONY: lab-up lab-down lab-status bench-lab
lab-up: packages controlplane-tools build
	$(BIN)/bgplb lab up -t $(LAB)

lab-down: build
	$(BIN)/bgplb lab down $(LAB)

lab-status: build
	$(BIN)/bgplb lab status $(LAB)

## bench-lab: warm `lab up` and `lab down` of two-dc against the targets (up <= 10 s, down <= 3 s)
bench-lab: packages controlplane-tools build
	$(GO) test -run '^$$' -bench BenchmarkLabUpDown -benchtime 3x -count 1 -timeout 10m ./topologies/lab/

## bench-controller: 2,000 LoadBalancer Services against a real kube-apiserver; prints the
## seconds until all have an IP, Services/s and controller CPU-seconds next to MetalLB v0.16.1.
## Then the controller restarted with 2,000 new Services waiting (vs the apiserver's own create
## time for them) and with 2,000 already assigned (ready time, writes, IP changes).
.PHONY: bench-controller
bench-controller: controlplane-tools
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkControllerServices|BenchmarkControllerRestart' -benchtime 1x -timeout 15m -v ./controller/k8s/

## bench-speaker: N = 1,000, 10,000 and 100,000 /32 Services handed to the speaker's reconcile
## core at once → seconds until FRR has all N, against a bare embedded GoBGP injecting the same
## N into the same FRR in the same run; prints figure, baseline, ratio, per-1k growth and the
## speaker's heap/RSS (root + FRR; BGPLB_BENCH_SIZES=1000,10000 for a quicker run). Also the
## loop's own cost at 100,000 on the router fake. Then BenchmarkServiceLive: the controller and
## speaker binaries, a real kube-apiserver and FRR; one Service created/deleted -> FRR's kernel
## table (vs a bare GoBGP in the same run) at 1,000 and 5,000 Services, and the speaker's CPU for
## 1,000 and 5,000 created live.
.PHONY: bench-speaker
bench-speaker: packages controlplane-tools
	$(GO) test -run '^$$' -bench '^BenchmarkSpeakerConvergence$$' -benchtime 1x -count 1 -timeout 20m ./speaker/app/
	$(GO) test -run '^$$' -bench '^BenchmarkReconcile100k$$' -benchtime 2x -count 1 ./speaker/reconcile/
	$(GO) test -run '^$$' -bench '^BenchmarkServiceLive$$' -benchtime 1x -count 1 -timeout 20m ./speaker/app/

## bench-bfd: node frozen -> route gone from the router's kernel FIB, 10 runs each for BFD
## 300/100/50 ms x3 retuned live on both ends, vs theory and the 3 s/9 s hold timer in
## the same run (BGPLB_BENCH_RUNS=3 for a quicker run).
.PHONY: bench-bfd bench
bench-bfd: packages controlplane-tools build
	$(GO) test -run '^$$' -bench '^BenchmarkBFDFailover$$' -benchtime 1x -count 1 -timeout 30m ./suites/

## bench: every benchmark of the project, then one table (figure, baseline measured in the
## same run, ratio, target) printed and written to out/bench/results.json. Raw output and
## per-benchmark detail: out/bench/raw.txt. Takes about 15 minutes on 2 cores.
BENCH_RAW := out/bench/raw.txt
bench: packages controlplane-tools build
	@mkdir -p out/bench && : > $(BENCH_RAW)
	-$(MAKE) -s bench-allocator 2>&1 | tee -a $(BENCH_RAW)
	-$(MAKE) -s bench-controller 2>&1 | tee -a $(BENCH_RAW)
	-$(MAKE) -s bench-speaker 2>&1 | tee -a $(BENCH_RAW)
	-$(MAKE) -s bench-bfd 2>&1 | tee -a $(BENCH_RAW)
	-$(MAKE) -s bench-lab 2>&1 | tee -a $(BENCH_RAW)
	@echo; $(GO) run ./hack/benchtable $(BENCH_RAW) out/bench/results.json
