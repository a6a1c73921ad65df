package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/topologies/model"
)

// Manifest verbs, for ChangeManifests.
const (
	VerbApply  = "apply"
	VerbDelete = "delete"
)

// Client opens the API of a running lab.
func Client(root, name string) (client.Client, error) {
	dir, _ := filepath.Abs(filepath.Join(root, name))
	rec, err := LoadRecord(dir)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.Kubeconfig == "" {
		return nil, fmt.Errorf("lab %s is not up (no %s in %s): run `bgplb lab up`", name, RecordFile, dir)
	}
	return clientFromKubeconfig(rec.Kubeconfig)
}

// ChangeManifests server-side-applies (as owner) or deletes every object of a
// multi-document YAML stream, in order; objects without a namespace go to the
// product's namespace when namespaced. Deleting what is not there is fine. It
// returns what it changed, as "Kind namespace/name", up to the first failure.
func ChangeManifests(ctx context.Context, c client.Client, verb, owner string, data []byte) ([]string, error) {
	objs, err := decodeManifests(data)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, o := range objs {
		desc := o.GetKind() + " " + o.GetName()
		if o.GetNamespace() == "" {
			namespaced, err := c.IsObjectNamespaced(o)
			if err != nil {
				return done, fmt.Errorf("%s: %w", desc, err)
			}
			if namespaced {
				o.SetNamespace(model.Namespace)
			}
		}
		if o.GetNamespace() != "" {
			desc = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
		}
		switch verb {
		case VerbApply:
			err = c.Patch(ctx, o, client.Apply, client.FieldOwner(owner), client.ForceOwnership)
		case VerbDelete:
			err = client.IgnoreNotFound(c.Delete(ctx, o))
		default:
			return done, fmt.Errorf("lab: manifest verb %q: want %s or %s", verb, VerbApply, VerbDelete)
		}
		if err != nil {
			return done, fmt.Errorf("%s %s: %w", verb, desc, err)
		}
		done = append(done, desc)
	}
	return done, nil
}

func decodeManifests(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := r.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("manifest %d: %w", len(out)+1, err)
		}
		if len(m) > 0 {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
}
