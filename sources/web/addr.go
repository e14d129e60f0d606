package web

import (
	"fmt"
	"net/netip"
)

// RefusedError is returned when a fetch would connect to an address or port
// the fetcher does not reach: internal networks, cloud metadata, odd ports.
type RefusedError struct {
	Host   string // the host name asked for
	Addr   string // the address or port refused
	Reason string // "loopback", "private", "port 8080 not allowed", ...
}

func (e *RefusedError) Error() string {
	if e.Host != "" && e.Host != e.Addr {
		return fmt.Sprintf("refused %s (%s): %s", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("refused %s: %s", e.Addr, e.Reason)
}

// blockedPrefixes are the networks a website of a company on the internet never
// lives in. The netip predicates cover loopback, private (RFC 1918, fc00::/7),
// link-local (169.254/16 with the cloud metadata address, fe80::/10), multicast
// and unspecified; this table adds what they do not.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (and Alibaba Cloud metadata 100.100.100.200)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (and broadcast)"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
}

// nat64Prefixes embed an IPv4 address in their last 32 bits; it is checked too,
// so 64:ff9b::7f00:1 is loopback. 6to4 (2002::/16) embeds one in bits 16-48.
var nat64Prefixes = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

var sixToFour = netip.MustParsePrefix("2002::/16")

// blockedReason says why an address is not to be connected to, or "" when it
// is a public unicast address.
func blockedReason(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid address"
	}
	a = a.WithZone("")
	if a.Is4In6() {
		if r := blockedReason(a.Unmap()); r != "" {
			return r + " (IPv4-mapped)"
		}
		return ""
	}
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a == netip.AddrFrom4([4]byte{169, 254, 169, 254}):
		return "cloud metadata"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, b := range blockedPrefixes {
		if b.prefix.Contains(a) {
			return b.reason
		}
	}
	if a.Is6() {
		b := a.As16()
		for _, p := range nat64Prefixes {
			if p.Contains(a) {
				if r := blockedReason(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); r != "" {
					return r + " (NAT64)"
				}
			}
		}
		if sixToFour.Contains(a) {
			if r := blockedReason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return r + " (6to4)"
			}
		}
	}
	return ""
}
