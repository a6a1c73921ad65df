package controlplane

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is everything the apiserver and its admin client need to trust each other.
// It is generated in Go at every start (a few milliseconds with P-256), so no
// openssl is needed and no key ever outlives the state directory.
type pki struct {
	caPEM        []byte // CA certificate: signs the serving and admin certificates
	servingPEM   []byte // apiserver serving certificate (127.0.0.1, localhost, kubernetes.default...)
	servingKey   []byte
	adminPEM     []byte // client certificate in system:masters: cluster-admin without RBAC objects
	adminKey     []byte
	saSigningKey []byte // service-account token signing key (private) and its public half
	saPublicKey  []byte
}

// Files the apiserver reads, relative to the PKI directory.
const (
	caFile         = "ca.crt"
	servingFile    = "apiserver.crt"
	servingKeyFile = "apiserver.key"
	adminFile      = "admin.crt"
	adminKeyFile   = "admin.key"
	saKeyFile      = "sa.key"
	saPubFile      = "sa.pub"
)

// newPKI generates a fresh CA, serving and admin certificates and the
// service-account key pair. validFor bounds every certificate's lifetime.
func newPKI(now time.Time, validFor time.Duration) (*pki, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := template(now, validFor, pkix.Name{CommonName: "bgplb-lab-ca"})
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("self-sign CA: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA: %w", err)
	}

	p := &pki{caPEM: pemBlock("CERTIFICATE", caDER)}

	serving := template(now, validFor, pkix.Name{CommonName: "kube-apiserver"})
	serving.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	serving.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	serving.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default",
		"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	if p.servingPEM, p.servingKey, err = issue(serving, caCert, caKey); err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}

	admin := template(now, validFor, pkix.Name{CommonName: "bgplb-lab-admin", Organization: []string{"system:masters"}})
	admin.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if p.adminPEM, p.adminKey, err = issue(admin, caCert, caKey); err != nil {
		return nil, fmt.Errorf("admin certificate: %w", err)
	}

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate service-account key: %w", err)
	}
	if p.saSigningKey, err = privatePEM(saKey); err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return nil, fmt.Errorf("marshal service-account public key: %w", err)
	}
	p.saPublicKey = pemBlock("PUBLIC KEY", pubDER)
	return p, nil
}

// write stores the PKI in dir with private keys readable by the owner only.
func (p *pki) write(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create PKI dir: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{caFile, p.caPEM}, {servingFile, p.servingPEM}, {servingKeyFile, p.servingKey},
		{adminFile, p.adminPEM}, {adminKeyFile, p.adminKey},
		{saKeyFile, p.saSigningKey}, {saPubFile, p.saPublicKey},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}

func template(now time.Time, validFor time.Duration, subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		// Backdated so a clock a little behind the apiserver's still accepts it.
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(validFor),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
}

// issue signs tmpl with the CA and returns the certificate and its new key as PEM.
func issue(tmpl, ca *x509.Certificate, caKey crypto.Signer) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	keyPEM, err = privatePEM(key)
	if err != nil {
		return nil, nil, err
	}
	return pemBlock("CERTIFICATE", der), keyPEM, nil
}

func privatePEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	return pemBlock("EC PRIVATE KEY", der), nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
