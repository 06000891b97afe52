import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import type { CustomAttribute } from './types.js';
import { attributeProblems, validateAttributeDefinitions, validateAttributeValues } from './validate.js';

const attr = (name: string, type: string, constraints: object | string = {}, value: string | null = ''): CustomAttribute => ({
  name,
  type,
  value,
  constraints: typeof constraints === 'string' ? constraints : JSON.stringify(constraints),
  description: '',
});

const nic = attr('Nic1', 'nic', { ipv4static: true, ipv4dhcp: false, ipv4disable: false, parameters: ['dns1', 'gateway', 'ipaddress', 'mac', 'netmask', 'vlanid'] }, null);

const plan: CustomAttribute[] = [
  attr('Name', 'string', { maxlen: '8' }),
  attr('Code', 'string', { regex: '[A-Z]{3}' }),
  attr('Size', 'number', { minimum: '30', maximum: '75', increment: '5', unit: 'percent' }),
  attr('Mode', 'option', { options: ['Enabled', 'Disabled'] }),
  attr('Secret', 'password', { minlen: '8', maxlen: '64' }),
  attr('Ip', 'ipv4', { helpText: '' }),
  attr('Host', 'hostname'),
  attr('Fqdn', 'fqdn'),
  nic,
];

describe('attributeProblems', () => {
  it('accepts good values and unset ones', () => {
    const values = { Name: 'short', Code: 'ABC', Size: '45', Mode: 'Enabled', Secret: 'longenough', Ip: '10.0.0.1', Host: 'web-1', Fqdn: 'web1.example.com', 'Nic1.mac': '00:1a:2B:3c:4d:5e', 'Nic1.ipaddress': '10.1.1.2', 'Nic1.netmask': '255.255.255.0', 'Nic1.vlanid': '100', 'Nic1.dns1': '' };
    expect(attributeProblems(plan, values)).toEqual([]);
    expect(attributeProblems(plan, {})).toEqual([]);
  });

  it('reports every bad value at once, one per key', () => {
    const values = { Name: 'muchtoolong', Code: 'abc', Size: '47', Mode: 'Maybe', Secret: 'short', Ip: '10.0.0.256', Host: 'a.b', Fqdn: 'nodot', 'Nic1.mac': 'zz', 'Nic1.netmask': '255.0.255.0', 'Nic1.vlanid': '5000', 'Nic1.bogus': 'x', Other: 'x' };
    const problems = attributeProblems(plan, values);
    expect(problems.map((p) => p.name).sort()).toEqual(['Code', 'Fqdn', 'Host', 'Ip', 'Mode', 'Name', 'Nic1.bogus', 'Nic1.mac', 'Nic1.netmask', 'Nic1.vlanid', 'Other', 'Secret', 'Size'].sort());
    expect(problems.find((p) => p.name === 'Size')!.message).toBe('Attribute "Size": "47" is not a step of 5 percent from 30');
  });

  it('checks number bounds and decimals', () => {
    const n = [attr('N', 'number', { minimum: '1', maximum: '51200', unit: 'MiB' })];
    expect(attributeProblems(n, { N: '0' })[0]!.message).toBe('Attribute "N": "0" is less than the minimum 1 MiB');
    expect(attributeProblems(n, { N: '51201' })[0]!.message).toBe('Attribute "N": "51201" is more than the maximum 51200 MiB');
    expect(attributeProblems(n, { N: '2.5' })).toEqual([]);
    expect(attributeProblems(n, { N: '2,5' })[0]!.message).toBe('Attribute "N": "2,5" is not a number');
  });

  it('holds strings to 254 characters even without maxlen', () => {
    const s = [attr('S', 'string')];
    expect(attributeProblems(s, { S: 'x'.repeat(254) })).toEqual([]);
    expect(attributeProblems(s, { S: 'x'.repeat(255) })).toHaveLength(1);
  });

  it('refuses host names and FQDNs starting with "-" or "_"', () => {
    expect(attributeProblems([attr('H', 'hostname')], { H: '-web' })).toHaveLength(1);
    expect(attributeProblems([attr('H', 'hostname')], { H: 'web_1' })).toEqual([]);
    expect(attributeProblems([attr('F', 'fqdn')], { F: 'a._b.com' })).toHaveLength(1);
  });

  it('never puts a password value in a message', () => {
    const [problem] = attributeProblems(plan, { Secret: 'hunter2' });
    expect(problem!.message).toBe('Attribute "Secret": the password is shorter than 8 characters');
    expect(problem!.message).not.toContain('hunter2');
  });

  it('enforces the NIC constraints ipv4dhcp, ipv4disable and ipv4static', () => {
    expect(attributeProblems([nic], { 'Nic1.dhcp': 'true' }).map((p) => p.message)).toEqual(['Attribute "Nic1": this NIC does not allow DHCP']);
    expect(attributeProblems([nic], { 'Nic1.ipv4disable': 'true' }).map((p) => p.message)).toEqual(['Attribute "Nic1": this NIC does not allow disabling IPv4']);
    const noStatic = attr('N2', 'nic', { ipv4static: false, ipv4dhcp: true, parameters: ['ipaddress'] }, null);
    expect(attributeProblems([noStatic], { 'N2.ipaddress': '10.0.0.1' }).map((p) => p.message)).toEqual(['Attribute "N2": this NIC does not allow a static IPv4 address']);
    expect(attributeProblems([noStatic], { 'N2.dhcp': 'true', 'N2.connectionid': '1' })).toEqual([]);
  });

  it('names a dotted key on an attribute that is not a NIC', () => {
    expect(attributeProblems([attr('S', 'string')], { 'S.mac': 'x' })[0]!.message).toBe('Attribute "S.mac": "S" is a string, not a NIC');
  });

  it('reports unreadable constraints and unknown types as problems of their attribute', () => {
    const problems = attributeProblems([attr('A', 'string', '{nope'), attr('B', 'colour')], {});
    expect(problems.map((p) => p.message)).toEqual([
      'Cannot read the constraints of "A": "{nope" is not JSON',
      'Attribute "B": type "colour" is not one of string, number, option, password, ipv4, hostname, fqdn, nic',
    ]);
  });
});

describe('validateAttributeValues', () => {
  it('throws one invalid AppError with every problem in details and data', () => {
    let caught: unknown;
    try {
      validateAttributeValues(plan, { Ip: '1.2.3', Host: 'a.b' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const e = caught as AppError;
    expect(e.kind).toBe('invalid');
    expect(e.code).toBe('ATTRIBUTE_VALUES_INVALID');
    expect(e.message).toBe('Cannot accept the custom attribute values: 2 values are not acceptable');
    expect(e.details.split('\n')).toHaveLength(2);
    expect((e.data['problems'] as unknown[]).length).toBe(2);
  });

  it('returns quietly for good values', () => {
    expect(() => validateAttributeValues(plan, { Ip: '1.2.3.4' })).not.toThrow();
  });
});

describe('validateAttributeDefinitions', () => {
  it('checks defaults against their own type, duplicate names and bad names', () => {
    expect(() => validateAttributeDefinitions(plan)).not.toThrow();
    try {
      validateAttributeDefinitions([attr('Mode', 'option', { options: ['A'] }, 'B'), attr('Mode', 'string'), attr('bad name', 'string')]);
      expect.unreachable();
    } catch (error) {
      const e = error as AppError;
      expect(e.code).toBe('ATTRIBUTE_DEFINITIONS_INVALID');
      expect(e.details).toContain('Attribute "Mode" is listed twice');
      expect(e.details).toContain('Attribute name "bad name" may hold only');
      expect(e.details).toContain('Attribute "Mode": "B" is not one of the options "A"');
    }
  });
});
