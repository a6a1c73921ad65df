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

// ApplyManifests server-side-applies, as owner, every object of a multi-document
// YAML stream in order. It returns what it applied, as "Kind namespace/name", up
// to the first failure.
func ApplyManifests(ctx context.Context, c client.Client, owner string, data []byte) ([]string, error) {
	return eachManifest(c, data, "apply", func(o *unstructured.Unstructured) error {
		return c.Patch(ctx, o, client.Apply, client.FieldOwner(owner), client.ForceOwnership)
	})
}

// DeleteManifests deletes the objects a YAML stream names; missing ones are fine.
// It returns what it deleted, up to the first failure.
func DeleteManifests(ctx context.Context, c client.Client, data []byte) ([]string, error) {
	return eachManifest(c, data, "delete", func(o *unstructured.Unstructured) error {
		return client.IgnoreNotFound(c.Delete(ctx, o))
	})
}

// eachManifest runs do on every object of data; namespaced objects without a
// namespace go to the product's.
func eachManifest(c client.Client, data []byte, verb string, do func(*unstructured.Unstructured) error) ([]string, error) {
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
		if err := do(o); err != nil {
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
