import ipaddr from 'ipaddr.js';

/**
 * The part of a client address that limits are counted on. An IPv4 address counts alone; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is the same IPv4 client; an IPv6 address counts with its
 * whole `/prefixLength` network, because one subscriber usually gets a /64 (or more) and can pick any address in it
 * for a fresh budget. Anything that is not an IP address (a Unix socket path) counts as it is.
 */
export function clientAddressKey(address: string, ipv6PrefixLength: number): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  // The zone id (`%eth0`) names the interface, not the client: drop it before masking.
  const withoutZone = parsed.toString().replace(/%.*$/, '');
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${withoutZone}/${ipv6PrefixLength}`);
  return `${network.toString()}/${ipv6PrefixLength}`;
}
