// Package webhook serves the controller's optional validating admission webhook:
// cross-object rules of config (an overlapping pool, an unknown
// community alias, a missing BFD profile) refused at `kubectl apply` time, with
// the same messages lint prints. Structural rules are the CRDs' CEL rules.
//
// It fails open: the ValidatingWebhookConfiguration says failurePolicy Ignore,
// so while the controller is away nothing is blocked and the controller's
// ConfigurationState still reports what is wrong. A change is refused only for
// the errors it adds (controller/admission), so a broken configuration stays
// fixable one object at a time.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/admission"
)

// Path is where the webhook is served.
const Path = "/validate"

// maxBody bounds a request (an AdmissionReview of one object).
const maxBody = 3 << 20

// Snapshot reads the current configuration objects of the namespace.
type Snapshot func(ctx context.Context) (config.Resources, error)

// Handler answers AdmissionReviews.
type Handler struct {
	Namespace string
	Snapshot  Snapshot
	Log       *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, &review)
	}
	if err != nil || review.Request == nil {
		http.Error(w, fmt.Sprintf("webhook: not an AdmissionReview: %v", err), http.StatusBadRequest)
		return
	}
	resp := h.review(r.Context(), review.Request)
	resp.UID = review.Request.UID
	review.Response, review.Request = resp, nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

func (h *Handler) review(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	if req.Namespace != h.Namespace {
		return &admissionv1.AdmissionResponse{Allowed: true} // not part of this configuration
	}
	raw := req.Object.Raw
	if req.Operation == admissionv1.Delete {
		raw = nil
	}
	obj, err := decode(req.Kind, raw)
	if err != nil {
		return allowWithWarning(h.Log, req, err) // unknown input: not ours to block
	}
	cur, err := h.Snapshot(ctx)
	if err != nil {
		return allowWithWarning(h.Log, req, fmt.Errorf("cannot read the current configuration: %w", err))
	}
	d, err := admission.Decide(cur, admission.Change{Op: admission.Operation(req.Operation), Kind: req.Kind.Kind, Name: req.Name, Object: obj},
		config.Options{Namespace: h.Namespace})
	if err != nil {
		return allowWithWarning(h.Log, req, err)
	}
	resp := &admissionv1.AdmissionResponse{Allowed: d.Allowed, Warnings: d.Warnings}
	if !d.Allowed {
		msg := fmt.Sprintf("bgplb: %s %s would make the configuration invalid: %s", req.Kind.Kind, req.Name, join(d.Denied))
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusUnprocessableEntity,
			Reason: metav1.StatusReasonInvalid, Message: msg}
		h.Log.Info("admission refused", "kind", req.Kind.Kind, "name", req.Name, "errors", len(d.Denied))
	}
	return resp
}

// decode turns the request's object into the typed object of its kind and version.
func decode(gvk metav1.GroupVersionKind, raw []byte) (any, error) {
	var obj any
	switch gvk.Version + "/" + gvk.Kind {
	case "v1beta1/IPAddressPool":
		obj = &v1beta1.IPAddressPool{}
	case "v1beta2/BGPPeer":
		obj = &v1beta2.BGPPeer{}
	case "v1beta1/BGPPeer":
		obj = &v1beta1.BGPPeer{}
	case "v1beta1/BGPAdvertisement":
		obj = &v1beta1.BGPAdvertisement{}
	case "v1beta1/Community":
		obj = &v1beta1.Community{}
	case "v1beta1/BFDProfile":
		obj = &v1beta1.BFDProfile{}
	case "v1beta1/L2Advertisement":
		obj = &v1beta1.L2Advertisement{}
	default:
		return nil, fmt.Errorf("kind %s/%s is not validated by bgplb", gvk.Version, gvk.Kind)
	}
	if raw == nil {
		return nil, nil
	}
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", gvk.Kind, err)
	}
	return obj, nil
}

func allowWithWarning(log *slog.Logger, req *admissionv1.AdmissionRequest, err error) *admissionv1.AdmissionResponse {
	log.Warn("admitted without validation", "kind", req.Kind.Kind, "name", req.Name, "error", err)
	return &admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{"bgplb webhook did not validate this change: " + err.Error()}}
}

func join(s []string) string {
	out := ""
	for i, m := range s {
		if i > 0 {
			out += "; "
		}
		out += m
	}
	return out
}
