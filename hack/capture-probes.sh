#!/bin/bash
# capture.sh — how the probe test data was captured: real FRR 8.4, BIRD 2.0.12 and gobgpd
# 3.10 in network namespaces on one LAN (the bridge lives in a namespace too, so nothing
# touches the host), exchanging documentation-range routes with communities. Run as root
# from the repository root; it writes each kind's captures to topologies/kinds/<kind>/testdata/probe/ and removes every
# namespace and process it made, also on failure.
#
#   frr   AS 64512 203.0.113.1  peers bird (BFD), gobgp, and a silent 203.0.113.4 (BFD)
#   bird  AS 64513 203.0.113.2  announces 198.18.0.10/32, 198.18.0.11/32 with communities
#   gobgp AS 64513 203.0.113.3  announces 198.18.0.10/32 (ECMP with bird), 198.18.0.12/32
set -euo pipefail
P=pcap
W=$(mktemp -d /tmp/probe-capture.XXXX)
cleanup() {
  ip netns pids $P-frr 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids $P-gobgp 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids $P-bird 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 0.5
  for n in sw frr bird gobgp; do ip netns del $P-$n 2>/dev/null || true; done
  rm -rf "$W" /var/run/frr/$P-frr
}
trap cleanup EXIT

ip netns add $P-sw
ip -n $P-sw link add br0 type bridge
ip -n $P-sw link set br0 up
i=1
for n in frr bird gobgp; do
  ip netns add $P-$n
  ip -n $P-$n link set lo up
  ip -n $P-$n link add eth1 type veth peer name p$i netns $P-sw
  ip -n $P-sw link set p$i master br0 up
  ip -n $P-$n addr add 203.0.113.$i/24 dev eth1
  ip -n $P-$n link set eth1 up
  i=$((i+1))
done

# FRR
mkdir -p /var/run/frr/$P-frr && chown frr:frr /var/run/frr/$P-frr
for d in zebra bgpd staticd bfdd; do
  ip netns exec $P-frr /usr/lib/frr/$d -N $P-frr -A 127.0.0.1 -d --log file:/var/run/frr/$P-frr/$d.log
done
sleep 1
cat >"$W/frr.conf" <<CONF
frr defaults datacenter
bgp community-list standard dc1-primary seq 5 permit 64512:1100
route-map SPEAKERS permit 10
 match community dc1-primary
 set local-preference 200
route-map SPEAKERS permit 20
route-map OWN permit 10
 set community 64512:9999
 set large-community 64512:1:2
ip route 198.18.0.100/32 Null0
router bgp 64512
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 neighbor 203.0.113.2 remote-as 64513
 neighbor 203.0.113.2 bfd
 neighbor 203.0.113.3 remote-as 64513
 neighbor 203.0.113.4 remote-as 64513
 neighbor 203.0.113.4 bfd
 address-family ipv4 unicast
  network 198.18.0.100/32 route-map OWN
  maximum-paths 2
  neighbor 203.0.113.2 route-map SPEAKERS in
  neighbor 203.0.113.3 route-map SPEAKERS in
 exit-address-family
CONF
ip netns exec $P-frr vtysh -N $P-frr -f "$W/frr.conf"

# BIRD
cat >"$W/bird.conf" <<CONF
router id 203.0.113.2;
protocol device {}
protocol static vips {
  ipv4;
  route 198.18.0.10/32 blackhole { bgp_community.add((64512,1100)); bgp_large_community.add((64512,1,1)); };
  route 198.18.0.11/32 blackhole { bgp_community.add((64512,2100)); };
}
protocol bfd { neighbor 203.0.113.1; }
protocol bgp r1 {
  local 203.0.113.2 as 64513;
  neighbor 203.0.113.1 as 64512;
  hold time 9; keepalive time 3;
  bfd on;
  ipv4 { import all; export where source = RTS_STATIC; };
}
protocol bgp down1 {
  local 203.0.113.2 as 64513;
  neighbor 203.0.113.9 as 64512;
  ipv4 { import all; export none; };
}
CONF
ip netns exec $P-bird bird -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid"

# gobgp
cat >"$W/gobgpd.toml" <<CONF
[global.config]
  as = 64513
  router-id = "203.0.113.3"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "203.0.113.1"
    peer-as = 64512
[[neighbors]]
  [neighbors.config]
    neighbor-address = "203.0.113.8"
    peer-as = 64512
CONF
ip netns exec $P-gobgp gobgpd -f "$W/gobgpd.toml" -l warn >"$W/gobgpd.log" 2>&1 &
echo $! >"$W/gobgpd.pid"
sleep 2
ip netns exec $P-gobgp gobgp global rib add 198.18.0.10/32 origin igp community 64512:1100 large-community 64512:1:1 -a ipv4
ip netns exec $P-gobgp gobgp global rib add 198.18.0.12/32 community 64512:2200 -a ipv4

echo "waiting for sessions..."
for _ in $(seq 60); do
  n=$(ip netns exec $P-frr vtysh -N $P-frr -c 'show bgp summary json' | grep -c '"state":"Established"' || true)
  [ "$n" -ge 2 ] && break
  sleep 0.5
done
# BFD up and routes exchanged both ways (BIRD imports FRR's own prefix).
for _ in $(seq 60); do
  ip netns exec $P-bird birdc -s "$W/bird.ctl" show route for 198.18.0.100/32 | grep -q 198.18.0.100 && break
  sleep 0.5
done
sleep 2

K=topologies/kinds
mkdir -p $K/frr/testdata/probe $K/bird/testdata/probe $K/gobgp/testdata/probe
vty() { ip netns exec $P-frr vtysh -N $P-frr -c "$1"; }
vty 'show bgp summary json' >$K/frr/testdata/probe/summary.json
vty 'show bgp ipv4 unicast json' >$K/frr/testdata/probe/rib.json
vty 'show bgp ipv4 unicast 198.18.0.10/32 json' >$K/frr/testdata/probe/prefix-ecmp.json
vty 'show bgp ipv4 unicast 198.18.0.100/32 json' >$K/frr/testdata/probe/prefix-local.json
vty 'show bgp ipv4 unicast 198.18.0.77/32 json' >$K/frr/testdata/probe/prefix-absent.json
vty 'show bfd peers json' >$K/frr/testdata/probe/bfd.json
bc() { ip netns exec $P-bird birdc -s "$W/bird.ctl" "$@"; }
bc show protocols all >$K/bird/testdata/probe/protocols.txt
bc show route all >$K/bird/testdata/probe/routes.txt
bc show route all for 198.18.0.100/32 >$K/bird/testdata/probe/route-one.txt
bc show bfd sessions >$K/bird/testdata/probe/bfd.txt || { cat $K/bird/testdata/probe/bfd.txt; exit 1; }
# Without a BFD protocol birdc says so and exits 1 (the probe reads that as no peers).
bc disable bfd1 >/dev/null
bc show bfd sessions >$K/bird/testdata/probe/bfd-none.txt && { echo "birdc exited 0 without BFD"; exit 1; }
gb() { ip netns exec $P-gobgp gobgp "$@"; }
gb neighbor -j >$K/gobgp/testdata/probe/neighbors.json
gb global rib -j -a ipv4 >$K/gobgp/testdata/probe/rib.json
echo "captured into $K/{frr,bird,gobgp}/testdata/probe"
