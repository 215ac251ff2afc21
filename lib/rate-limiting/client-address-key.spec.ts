import { describe, expect, it } from '@jest/globals';
import { clientAddressKey } from './client-address-key.js';

describe('clientAddressKey', () => {
  it('an IPv4 address counts alone, and its IPv4-mapped IPv6 form is the same client', () => {
    expect(clientAddressKey('203.0.113.7', 64)).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7', 64)).toBe('203.0.113.7');
    expect(clientAddressKey('203.0.113.8', 64)).not.toBe(clientAddressKey('203.0.113.7', 64));
  });

  it('IPv6 addresses in one /64 share a key, whatever their spelling; the next /64 does not', () => {
    const key = clientAddressKey('2001:db8:aa:bb::1', 64);
    expect(key).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey('2001:0db8:00aa:00bb:ffff:ffff:ffff:fffe', 64)).toBe(key);
    expect(clientAddressKey('2001:db8:aa:bc::1', 64)).not.toBe(key);
  });

  it('honours a wider prefix, and ignores the zone id', () => {
    expect(clientAddressKey('2001:db8:aa:bc::1', 48)).toBe(clientAddressKey('2001:db8:aa:bb::1', 48));
    expect(clientAddressKey('fe80::1%eth0', 64)).toBe('fe80::/64');
  });

  it('leaves what is not an IP address as it is', () => {
    expect(clientAddressKey('/run/app.sock', 64)).toBe('/run/app.sock');
  });
});
