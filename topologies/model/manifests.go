package model

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// Namespace is where the lab's MetalLB objects live.
const Namespace = "metallb-system"

// Manifests are the Kubernetes objects a lab applies by default.
type Manifests struct {
	// Files are the topology's own manifests (paths as written), for the caller to load;
	// when set, Secrets, BFDProfiles, Peers, Pools and Advertisements are empty.
	Files []string
	// Nodes are always derived: one per k8s node, with the topology's labels.
	Nodes          []corev1.Node
	Secrets        []corev1.Secret
	BFDProfiles    []v1beta1.BFDProfile
	Peers          []v1beta2.BGPPeer
	Pools          []v1beta1.IPAddressPool
	Advertisements []v1beta1.BGPAdvertisement
}

// Objects returns every derived object in apply order (Nodes, Secrets, BFDProfiles,
// IPAddressPools, BGPPeers, BGPAdvertisements).
func (m Manifests) Objects() []runtime.Object {
	var out []runtime.Object
	for i := range m.Nodes {
		out = append(out, &m.Nodes[i])
	}
	for i := range m.Secrets {
		out = append(out, &m.Secrets[i])
	}
	for i := range m.BFDProfiles {
		out = append(out, &m.BFDProfiles[i])
	}
	for i := range m.Pools {
		out = append(out, &m.Pools[i])
	}
	for i := range m.Peers {
		out = append(out, &m.Peers[i])
	}
	for i := range m.Advertisements {
		out = append(out, &m.Advertisements[i])
	}
	return out
}

// Names of the derived objects.
const (
	PoolName          = "lab-vips"
	AdvertisementName = "lab-vips"
)

// Manifests returns the objects the lab applies: Nodes always, and unless the topology
// names its own manifests, the MetalLB objects its BGP intent implies.
func (l *Lab) Manifests() Manifests {
	m := Manifests{Files: slices.Clone(l.ManifestFiles)}
	for _, n := range l.NodesWithRole(RoleK8sNode) {
		m.Nodes = append(m.Nodes, l.nodeObject(n))
	}
	if len(l.ManifestFiles) > 0 {
		return m
	}
	l.peers(&m)
	var addrs []string
	for _, v := range l.VIPs {
		addrs = append(addrs, v.String())
	}
	m.Pools = []v1beta1.IPAddressPool{{
		TypeMeta:   typeMeta(v1beta1.GroupVersion.String(), "IPAddressPool"),
		ObjectMeta: objectMeta(PoolName),
		// avoidBuggyIPs keeps .0 and .255 out: the demo VIP then looks like an address.
		Spec: v1beta1.IPAddressPoolSpec{Addresses: addrs, AvoidBuggyIPs: true},
	}}
	m.Advertisements = []v1beta1.BGPAdvertisement{{
		TypeMeta:   typeMeta(v1beta1.GroupVersion.String(), "BGPAdvertisement"),
		ObjectMeta: objectMeta(AdvertisementName),
		Spec:       v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{PoolName}},
	}}
	return m
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: Namespace}
}

func (l *Lab) nodeObject(n LabNode) corev1.Node {
	node := corev1.Node{
		TypeMeta:   typeMeta("v1", "Node"),
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels},
	}
	for _, ifc := range n.Interfaces {
		for _, a := range ifc.Addresses {
			node.Status.Addresses = append(node.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: a.Addr().String()})
		}
	}
	node.Status.Addresses = append(node.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeHostName, Address: n.Name})
	return node
}

// peerKey groups the speaker sessions that one BGPPeer can describe.
type peerKey struct {
	router  string
	address string
	myASN   uint32
}

// peers derives one BGPPeer per router address and speaker ASN (normally one per router
// and family), selecting nodes by hostname only when not every k8s node peers with it,
// plus the password Secrets and BFDProfiles they refer to.
func (l *Lab) peers(m *Manifests) {
	all := len(l.NodesWithRole(RoleK8sNode))
	var keys []peerKey
	groups := map[peerKey][]Session{}
	for _, s := range l.Sessions {
		if s.Kind != SessionSpeaker {
			continue
		}
		k := peerKey{s.A.Node, s.A.Address.String(), s.B.ASN}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], s)
	}
	names := map[string]int{}
	secrets := map[string]bool{}
	profiles := map[string]bool{}
	for _, k := range keys {
		ss := groups[k]
		first := ss[0]
		name := first.A.Node + addrFamily(first.A.Address)
		if names[name]++; names[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, names[name])
		}
		spec := v1beta2.BGPPeerSpec{
			MyASN: k.myASN, ASN: first.A.ASN, Address: k.address,
			BFDProfile: first.BFD,
		}
		if first.HoldTime != 0 {
			spec.HoldTime = &metav1.Duration{Duration: first.HoldTime}
		}
		if first.KeepaliveTime != 0 {
			spec.KeepaliveTime = &metav1.Duration{Duration: first.KeepaliveTime}
		}
		if len(ss) < all {
			var hosts []string
			for _, s := range ss {
				hosts = append(hosts, s.B.Node)
			}
			spec.NodeSelectors = []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: LabelHostname, Operator: metav1.LabelSelectorOpIn, Values: hosts,
			}}}}
		}
		if first.Password != "" {
			secret := first.A.Node + "-bgp-password"
			spec.PasswordSecret = corev1.SecretReference{Name: secret, Namespace: Namespace}
			if !secrets[secret] {
				secrets[secret] = true
				m.Secrets = append(m.Secrets, corev1.Secret{
					TypeMeta:   typeMeta("v1", "Secret"),
					ObjectMeta: objectMeta(secret),
					Type:       corev1.SecretTypeBasicAuth,
					Data:       map[string][]byte{corev1.BasicAuthPasswordKey: []byte(first.Password)},
				})
			}
		}
		if first.BFD != "" && !profiles[first.BFD] {
			profiles[first.BFD] = true
			m.BFDProfiles = append(m.BFDProfiles, l.bfdObject(first.BFD))
		}
		m.Peers = append(m.Peers, v1beta2.BGPPeer{
			TypeMeta:   typeMeta(v1beta2.GroupVersion.String(), "BGPPeer"),
			ObjectMeta: objectMeta(name),
			Spec:       spec,
		})
	}
}

func (l *Lab) bfdObject(name string) v1beta1.BFDProfile {
	p := l.BFDProfiles[name]
	var spec v1beta1.BFDProfileSpec
	if p.ReceiveInterval != 0 {
		spec.ReceiveInterval = ptr(p.ReceiveInterval)
	}
	if p.TransmitInterval != 0 {
		spec.TransmitInterval = ptr(p.TransmitInterval)
	}
	if p.DetectMultiplier != 0 {
		spec.DetectMultiplier = ptr(uint32(p.DetectMultiplier))
	}
	if p.Passive {
		spec.PassiveMode = ptr(true)
	}
	return v1beta1.BFDProfile{
		TypeMeta:   typeMeta(v1beta1.GroupVersion.String(), "BFDProfile"),
		ObjectMeta: objectMeta(name),
		Spec:       spec,
	}
}

func ptr[T any](v T) *T { return &v }
