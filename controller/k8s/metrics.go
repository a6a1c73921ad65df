package k8s

import (
	"context"
	"math"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Metric names, types, help texts and labels are MetalLB's (internal/allocator/stats.go
// and internal/k8s/controllers/stats.go at v0.16.1), so existing dashboards and
// alerts keep working. MetalLB registers metallb_allocator_services_allocated_total
// but never sets it, so it never appears there; it does not here either.
const (
	MetricAddressesTotal     = "metallb_allocator_addresses_total"
	MetricAddressesInUse     = "metallb_allocator_addresses_in_use_total"
	MetricIPv4AddressesTotal = "metallb_allocator_ipv4_addresses_total"
	MetricIPv4AddressesInUse = "metallb_allocator_ipv4_addresses_in_use_total"
	MetricIPv6AddressesTotal = "metallb_allocator_ipv6_addresses_total"
	MetricIPv6AddressesInUse = "metallb_allocator_ipv6_addresses_in_use_total"
	MetricConfigLoaded       = "metallb_k8s_client_config_loaded_bool"
	MetricConfigStale        = "metallb_k8s_client_config_stale_bool"
	MetricUpdates            = "metallb_k8s_client_updates_total"
	MetricUpdateErrors       = "metallb_k8s_client_update_errors_total"
)

// collector reads the allocator's counters and the config state at scrape time, so
// the numbers can never drift from what the allocator holds and no reconcile path has
// to remember to update a gauge.
type collector struct {
	st                                 *state
	total, inUse, v4, v4Use, v6, v6Use *prometheus.Desc
	loaded, stale                      *prometheus.Desc
	updates, updateErrs                *prometheus.Desc
}

func newCollector(st *state) *collector {
	pool := []string{"pool"}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &collector{
		st:         st,
		total:      d(MetricAddressesTotal, "Number of usable IP addresses, per pool", pool),
		inUse:      d(MetricAddressesInUse, "Number of IP addresses in use, per pool", pool),
		v4:         d(MetricIPv4AddressesTotal, "Number of usable IPV4 addresses, per pool", pool),
		v4Use:      d(MetricIPv4AddressesInUse, "Number of IPV4 addresses in use, per pool", pool),
		v6:         d(MetricIPv6AddressesTotal, "Number of usable IPV6 addresses, per pool", pool),
		v6Use:      d(MetricIPv6AddressesInUse, "Number of IPV6 addresses in use, per pool", pool),
		loaded:     d(MetricConfigLoaded, "1 if the MetalLB configuration was successfully loaded at least once.", nil),
		stale:      d(MetricConfigStale, "1 if running on a stale configuration, because the latest config failed to load.", nil),
		updates:    d(MetricUpdates, "Number of k8s object updates that have been processed.", nil),
		updateErrs: d(MetricUpdateErrors, "Number of k8s object updates that failed for some reason.", nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.inUse, c.v4, c.v4Use, c.v6, c.v6Use, c.loaded, c.stale, c.updates, c.updateErrs} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, pc := range c.st.alloc.Counters() {
		g(c.total, sat(pc.Total()), pc.Pool)
		g(c.inUse, float64(pc.InUse()), pc.Pool)
		g(c.v4, sat(pc.AssignedIPv4+pc.AvailableIPv4), pc.Pool)
		g(c.v4Use, float64(pc.AssignedIPv4), pc.Pool)
		g(c.v6, sat(pc.AssignedIPv6+pc.AvailableIPv6), pc.Pool)
		g(c.v6Use, float64(pc.AssignedIPv6), pc.Pool)
	}
	loaded, stale, _, _ := c.st.configStatus()
	g(c.loaded, b2f(loaded))
	g(c.stale, b2f(stale))
	ch <- prometheus.MustNewConstMetric(c.updates, prometheus.CounterValue, float64(c.st.updates.Load()))
	ch <- prometheus.MustNewConstMetric(c.updateErrs, prometheus.CounterValue, float64(c.st.updateErrs.Load()))
}

// counted wraps a reconciler so every reconcile counts as one processed update and
// every failed one as an update error (MetalLB's k8s_client counters).
type counted struct {
	st *state
	r  reconcile.Reconciler
}

func (c counted) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	c.st.updates.Add(1)
	res, err := c.r.Reconcile(ctx, req)
	if err != nil {
		c.st.updateErrs.Add(1)
	}
	return res, err
}

// sat keeps an overflowed (negative) int64 sum at the cap the allocator uses.
func sat(v int64) float64 {
	if v < 0 {
		return math.MaxInt64
	}
	return float64(v)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
