package config

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Service annotations. MetalLB 0.13 moved them from metallb.universe.tf/ to
// metallb.io/; both bgplb and MetalLB still honour the old prefix, with a warning here.
const (
	AnnotationAddressPool     = "metallb.io/address-pool"
	AnnotationLoadBalancerIPs = "metallb.io/loadBalancerIPs"
	AnnotationAllowSharedIP   = "metallb.io/allow-shared-ip"
	AnnotationAllocatedFrom   = "metallb.io/ip-allocated-from-pool"

	deprecatedAnnotationPrefix = "metallb.universe.tf/"
	annotationPrefix           = "metallb.io/"
)

// ServiceFindings returns warnings about a Service's MetalLB annotations: each
// deprecated metallb.universe.tf/ annotation, naming its metallb.io/ replacement.
// bgplb lint and the controller both call it.
func ServiceFindings(svc *corev1.Service) Findings {
	if svc == nil {
		return nil
	}
	name := svc.Name
	if svc.Namespace != "" {
		name = svc.Namespace + "/" + svc.Name
	}
	var keys []string
	for k := range svc.Annotations {
		if strings.HasPrefix(k, deprecatedAnnotationPrefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var r report
	for _, k := range keys {
		repl := annotationPrefix + strings.TrimPrefix(k, deprecatedAnnotationPrefix)
		r.warnf(ref{KindService, name}, "metadata.annotations["+k+"]", "annotation-deprecated",
			"rename the annotation to "+repl,
			"annotation %s is deprecated; bgplb reads it as %s", k, repl)
	}
	return r.fs
}

// ServiceAnnotation reads a MetalLB annotation by its metallb.io/ key, falling back to
// the deprecated metallb.universe.tf/ spelling; the new key wins when both are set.
func ServiceAnnotation(svc *corev1.Service, key string) (string, bool) {
	if v, ok := svc.Annotations[key]; ok {
		return v, true
	}
	v, ok := svc.Annotations[deprecatedAnnotationPrefix+strings.TrimPrefix(key, annotationPrefix)]
	return v, ok
}
