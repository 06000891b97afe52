import { describe, expect, it } from 'vitest';
import { fromOsCustomAttributes, layerValues, nicFields, toOsCustomAttributes } from './oneview.js';
import { maskAttributes, maskSecrets, PASSWORD_MASK, secretValues, unmaskAttributes } from './secrets.js';
import type { CustomAttribute } from './types.js';

const attributes: CustomAttribute[] = [
  { name: 'HostName', value: 'web', type: 'hostname', constraints: '{}', description: '' },
  { name: 'Nic1', value: null, type: 'nic', constraints: '{"ipv4static":true,"parameters":["dns1","ipaddress","mac"]}', description: '' },
  { name: 'Pw', value: 'secret99', type: 'password', constraints: '{}', description: '' },
];

describe('osCustomAttributes', () => {
  it('expands a NIC into dotted names with OneView defaults, then its parameters', () => {
    const list = toOsCustomAttributes(attributes, { 'Nic1.ipaddress': '10.0.0.5' });
    expect(list.map((e) => [e.name, e.value])).toEqual([
      ['HostName', 'web'],
      ['Nic1.connectionid', ''],
      ['Nic1.dhcp', 'false'],
      ['Nic1.ipv4disable', 'false'],
      ['Nic1.networkuri', ''],
      ['Nic1.constraint', 'auto'],
      ['Nic1.dns1', ''],
      ['Nic1.ipaddress', '10.0.0.5'],
      ['Nic1.mac', ''],
      ['Pw', 'secret99'],
    ]);
  });

  it('reads them back with booleans and numbers as strings', () => {
    const values = fromOsCustomAttributes([{ name: 'Nic1.dhcp', value: true }, { name: 'Size', value: 5 }, { name: 'X', value: null }, { value: 'nameless' }]);
    expect(values).toEqual({ 'Nic1.dhcp': 'true', Size: '5' });
    expect(nicFields({ 'Nic1.dhcp': 'true', 'Nic10.mac': 'm', Nic1: 'x' }, 'Nic1')).toEqual({ dhcp: 'true' });
  });

  it('layers values with the first layer winning and null meaning unset', () => {
    expect(layerValues({ A: '1', B: null }, { B: '2', C: '3' }, { C: '4', D: '' })).toEqual({ A: '1', B: '2', C: '3', D: '' });
  });
});

describe('password masking', () => {
  it('masks set passwords for output and restores them from a masked input', () => {
    const masked = maskAttributes(attributes);
    expect(masked[2]!.value).toBe(PASSWORD_MASK);
    expect(masked[0]!.value).toBe('web');
    expect(unmaskAttributes(masked, attributes)[2]!.value).toBe('secret99');
    expect(maskAttributes([{ type: 'password', value: '' }])[0]!.value).toBe('');
  });

  it('masks password values inside log text', () => {
    const secrets = secretValues(attributes, { Pw: 'hunter22', HostName: 'hunter22x' });
    expect(maskSecrets('pw=hunter22 host=web', secrets)).toBe(`pw=${PASSWORD_MASK} host=web`);
  });
});
