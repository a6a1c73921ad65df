package webhook

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Certificate lifetimes: the serving certificate is renewed when less than
// renewBefore is left, and checked every checkEvery.
const (
	certLifetime = 365 * 24 * time.Hour
	renewBefore  = 30 * 24 * time.Hour
	checkEvery   = time.Hour
)

// Certs manages the webhook's own certificates: a CA and a serving certificate
// for the webhook Service, kept in a Secret (so every replica serves the same
// one), renewed before they expire, and the CA written into the
// ValidatingWebhookConfiguration's caBundle.
type Certs struct {
	Client client.Client
	// Namespace and Secret hold the certificates; Service names the DNS names
	// (<service>.<namespace>.svc); WebhookConfig is patched with the CA.
	Namespace, Secret, Service, WebhookConfig string
	// ExtraIPs are added as IP SANs (tests reach the webhook on 127.0.0.1).
	ExtraIPs []net.IP
	Now      func() time.Time
	Log      *slog.Logger

	mu      sync.RWMutex
	serving *tls.Certificate
}

// GetCertificate is tls.Config.GetCertificate: the current serving certificate.
func (c *Certs) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.serving == nil {
		return nil, errors.New("webhook: no serving certificate yet")
	}
	return c.serving, nil
}

// Run keeps the certificates valid until ctx is done.
func (c *Certs) Run(ctx context.Context) {
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Ensure(ctx); err != nil {
				c.Log.Error("webhook certificates", "error", err)
			}
		}
	}
}

// Ensure loads the Secret's certificates, makes new ones when they are missing
// or due, and patches the webhook configuration's caBundle.
func (c *Certs) Ensure(ctx context.Context) error {
	var sec corev1.Secret
	err := c.Client.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: c.Secret}, &sec)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("webhook: read Secret %s/%s: %w", c.Namespace, c.Secret, err)
	}
	exists := err == nil
	caPEM, certPEM, keyPEM := sec.Data["ca.crt"], sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey]
	bundle := caPEM
	if !c.valid(certPEM, keyPEM) {
		old := caPEM
		if caPEM, certPEM, keyPEM, err = c.issue(); err != nil {
			return err
		}
		bundle = append(append([]byte{}, caPEM...), old...) // the old CA stays trusted while replicas switch
		if err := c.store(ctx, &sec, exists, caPEM, certPEM, keyPEM); err != nil {
			return err
		}
		c.Log.Info("webhook certificate issued", "secret", c.Secret, "validFor", certLifetime)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("webhook: Secret %s: %w", c.Secret, err)
	}
	c.mu.Lock()
	c.serving = &pair
	c.mu.Unlock()
	return c.patchCABundle(ctx, bundle)
}

// hosts are the names the serving certificate must carry.
func (c *Certs) hosts() []string {
	return []string{c.Service + "." + c.Namespace + ".svc", c.Service + "." + c.Namespace + ".svc.cluster.local"}
}

// valid: a certificate for our names with more than renewBefore left.
func (c *Certs) valid(certPEM, keyPEM []byte) bool {
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return false
	}
	b, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil || c.Now().Add(renewBefore).After(cert.NotAfter) {
		return false
	}
	for _, h := range c.hosts() {
		if cert.VerifyHostname(h) != nil {
			return false
		}
	}
	for _, ip := range c.ExtraIPs {
		if cert.VerifyHostname(ip.String()) != nil {
			return false
		}
	}
	return true
}

// issue makes a CA and a serving certificate signed by it (ECDSA P-256).
func (c *Certs) issue() (caPEM, certPEM, keyPEM []byte, err error) {
	now := c.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	ca := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "bgplb-webhook-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(certLifetime + renewBefore),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	leaf := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: c.hosts()[0]},
		DNSNames: c.hosts(), IPAddresses: c.ExtraIPs, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(certLifetime),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	return pemOf("CERTIFICATE", caDER), pemOf("CERTIFICATE", leafDER), pemOf("EC PRIVATE KEY", keyDER), nil
}

// store writes the certificates; another replica that wrote first wins (its
// certificates are loaded on the next Ensure).
func (c *Certs) store(ctx context.Context, sec *corev1.Secret, exists bool, caPEM, certPEM, keyPEM []byte) error {
	sec.Name, sec.Namespace, sec.Type = c.Secret, c.Namespace, corev1.SecretTypeTLS
	sec.Data = map[string][]byte{"ca.crt": caPEM, corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM}
	var err error
	if exists {
		err = c.Client.Update(ctx, sec)
	} else {
		err = c.Client.Create(ctx, sec)
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("webhook: another replica wrote Secret %s first; retrying", c.Secret)
	}
	if err != nil {
		return fmt.Errorf("webhook: write Secret %s/%s: %w", c.Namespace, c.Secret, err)
	}
	return nil
}

// patchCABundle writes bundle into every webhook of the configuration. A
// missing configuration is reported, not an error: the webhook is optional.
func (c *Certs) patchCABundle(ctx context.Context, bundle []byte) error {
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := c.Client.Get(ctx, client.ObjectKey{Name: c.WebhookConfig}, &vwc); err != nil {
		if apierrors.IsNotFound(err) {
			c.Log.Warn("no ValidatingWebhookConfiguration to patch: the apiserver will not call this webhook", "name", c.WebhookConfig)
			return nil
		}
		return fmt.Errorf("webhook: read ValidatingWebhookConfiguration %s: %w", c.WebhookConfig, err)
	}
	changed := false
	for i := range vwc.Webhooks {
		if !bytes.Equal(vwc.Webhooks[i].ClientConfig.CABundle, bundle) {
			vwc.Webhooks[i].ClientConfig.CABundle, changed = bundle, true
		}
	}
	if !changed {
		return nil
	}
	if err := c.Client.Update(ctx, &vwc); err != nil {
		return fmt.Errorf("webhook: patch caBundle of %s: %w", c.WebhookConfig, err)
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func pemOf(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
