package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// InstallCRDs creates (or updates) every CustomResourceDefinition in dir/*.yaml
// (deploy/crds) and waits until the apiserver reports each Established, so
// objects of those kinds can be written as soon as it returns. A CRD the
// apiserver rejects fails the call with the apiserver's reason.
func (cp *ControlPlane) InstallCRDs(ctx context.Context, dir string) error {
	crds, err := readCRDs(dir)
	if err != nil {
		return err
	}
	cs, err := apiextensions.NewForConfig(cp.RESTConfig())
	if err != nil {
		return fmt.Errorf("controlplane: CRD client: %w", err)
	}
	api := cs.ApiextensionsV1().CustomResourceDefinitions()
	var errs []error
	for _, crd := range crds {
		if err := apply(ctx, api, crd); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, crd := range crds {
		if err := waitEstablished(ctx, api, crd.Name); err != nil {
			return err
		}
	}
	cp.log.Info("CRDs installed", "count", len(crds), "dir", dir)
	return nil
}

type crdAPI interface {
	Create(context.Context, *apiextensionsv1.CustomResourceDefinition, metav1.CreateOptions) (*apiextensionsv1.CustomResourceDefinition, error)
	Update(context.Context, *apiextensionsv1.CustomResourceDefinition, metav1.UpdateOptions) (*apiextensionsv1.CustomResourceDefinition, error)
	Get(context.Context, string, metav1.GetOptions) (*apiextensionsv1.CustomResourceDefinition, error)
}

func readCRDs(dir string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("controlplane: CRDs in %s: %w", dir, err)
	}
	sort.Strings(files)
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue // the directory doubles as a kustomize base for `kubectl apply -k`
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("controlplane: %w", err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("controlplane: %s: %w", f, err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("controlplane: %s: kind %q, want CustomResourceDefinition", f, crd.Kind)
		}
		out = append(out, crd)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("controlplane: no *.yaml CRDs in %s", dir)
	}
	return out, nil
}

func apply(ctx context.Context, api crdAPI, crd *apiextensionsv1.CustomResourceDefinition) error {
	_, err := api.Create(ctx, crd.DeepCopy(), metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		cur, gerr := api.Get(ctx, crd.Name, metav1.GetOptions{})
		if gerr != nil {
			return fmt.Errorf("controlplane: CRD %s: %w", crd.Name, gerr)
		}
		next := crd.DeepCopy()
		next.ResourceVersion = cur.ResourceVersion
		_, err = api.Update(ctx, next, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("controlplane: CRD %s rejected: %w", crd.Name, err)
	}
	return nil
}

func waitEstablished(ctx context.Context, api crdAPI, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		crd, err := api.Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			for _, c := range crd.Status.Conditions {
				if c.Type == apiextensionsv1.NamesAccepted && c.Status == apiextensionsv1.ConditionFalse {
					return fmt.Errorf("controlplane: CRD %s names not accepted: %s", name, c.Message)
				}
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("controlplane: CRD %s not Established: %w", name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
