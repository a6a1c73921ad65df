package config

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/api/v1beta2"
)

// passwordKey is the Secret key MetalLB reads the MD5 password from.
const passwordKey = "password"

// password resolves the peer's MD5 password from password or passwordSecret. A
// Secret that does not exist (yet) holds the peer back (Peer.Waiting) instead of
// refusing the whole configuration.
func (b *builder) password(o ref, s v1beta2.BGPPeerSpec, p *Peer) Password {
	const secretHint = "create a Secret of type kubernetes.io/basic-auth with key password in the product namespace and point passwordSecret.name at it"
	if s.Password != "" && s.PasswordSecret.Name != "" {
		b.errorf(o, "spec.password", "peer-password-conflict", "keep passwordSecret and remove password",
			"password and passwordSecret are mutually exclusive")
		return Password{}
	}
	if strings.ContainsAny(s.Password, "\n\r") {
		b.warnf(o, "spec.password", "peer-password-line-break", "remove the line break from the password, unless the router's password has it too",
			"password contains a line break; it is used as written (MetalLB accepts it too), but few routers can be configured with one")
	}
	if name := s.PasswordSecret.Name; name != "" {
		if ns := s.PasswordSecret.Namespace; ns != "" && ns != b.ns {
			// MetalLB ignores the namespace and reads the Secret of that name from
			// its own namespace; so do we, and say so.
			b.warnf(o, "spec.passwordSecret.namespace", "peer-password-secret-namespace", "move the Secret to namespace "+b.ns+" and drop passwordSecret.namespace",
				"passwordSecret.namespace %q is ignored (as by MetalLB): Secret %q is read from namespace %q", ns, name, b.ns)
		}
		sec, ok := b.secrets[name]
		if !ok {
			// MetalLB refuses the whole configuration until the Secret exists (a
			// "transient" error), which wedges every other change; bgplb holds
			// back this one session instead, and starts it once the Secret appears.
			b.warnf(o, "spec.passwordSecret.name", "peer-password-secret-missing", secretHint,
				"Secret %q does not exist in namespace %q; the session waits for it (MetalLB would refuse the whole configuration until it exists)", name, b.ns)
			p.Waiting = fmt.Sprintf("waiting for Secret %s/%s (passwordSecret)", b.ns, name)
			return Password{}
		}
		switch sec.Type {
		case corev1.SecretTypeBasicAuth:
		case corev1.SecretTypeOpaque, "":
			b.warnf(o, "spec.passwordSecret.name", "peer-password-secret-opaque", "set the Secret's type to kubernetes.io/basic-auth (MetalLB rejects Opaque)",
				"Secret %q is of type Opaque; bgplb read its password key anyway", name)
		default:
			b.errorf(o, "spec.passwordSecret.name", "peer-password-secret-type", secretHint,
				"Secret %q is of type %q, not kubernetes.io/basic-auth", name, sec.Type)
			return Password{}
		}
		v, ok := secretValue(sec, passwordKey)
		if !ok {
			b.errorf(o, "spec.passwordSecret.name", "peer-password-secret-key", "add the key password to the Secret's data or stringData",
				"Secret %q has no key %q", name, passwordKey)
			return Password{}
		}
		if strings.ContainsAny(v, "\n\r") {
			b.warnf(o, "spec.passwordSecret.name", "peer-password-line-break", "remove the trailing newline (echo -n when encoding), unless the router's password has it too",
				"the password in Secret %q contains a line break; it is used as written (MetalLB accepts it too)", name)
		}
		return NewPassword(v)
	}
	if s.Password == "" {
		return Password{}
	}
	// Our addition: guides write the Secret's name into password. Taken literally it
	// would become an MD5 password nobody configured on the router, so use the Secret.
	if sec, ok := b.secrets[s.Password]; ok {
		hint := "replace password: " + s.Password + " with passwordSecret: {name: " + s.Password + "} and make the Secret type kubernetes.io/basic-auth"
		if v, ok := secretValue(sec, passwordKey); ok {
			b.warnf(o, "spec.password", "peer-password-names-secret", hint,
				"password %q is the name of a Secret; bgplb used that Secret's password key as the MD5 password", s.Password)
			if sec.Type == corev1.SecretTypeOpaque || sec.Type == "" {
				b.warnf(o, "spec.password", "peer-password-secret-opaque", "set the Secret's type to kubernetes.io/basic-auth (MetalLB rejects Opaque)",
					"Secret %q is of type Opaque; once referenced through passwordSecret, MetalLB would reject it", s.Password)
			}
			return NewPassword(v)
		}
		b.warnf(o, "spec.password", "peer-password-names-secret", hint,
			"password %q is the name of a Secret without a password key; bgplb used the text %q itself as the MD5 password", s.Password, s.Password)
	}
	return NewPassword(s.Password)
}

// secretValue reads key from a Secret's data, preferring stringData as the API
// server does when it merges the two on write (lint reads unmerged manifests).
func secretValue(s corev1.Secret, key string) (string, bool) {
	if v, ok := s.StringData[key]; ok {
		return v, true
	}
	v, ok := s.Data[key]
	return string(v), ok
}
