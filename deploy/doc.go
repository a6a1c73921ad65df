// Package deploy holds the artifacts that install bgplb on a cluster: the generated
// CRDs (crds/), the kustomize base, component and overlays (kustomize/), the Helm chart
// (helm/bgplb) and the Dockerfile. It has no product code; its tests render the
// kustomizations with kustomize's own library and the chart with Helm's engine, check
// the security-relevant facts of the result, and (TestIntegrationDeploy*) apply it to a
// real kube-apiserver.
package deploy
