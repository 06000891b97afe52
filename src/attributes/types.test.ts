import { describe, expect, it } from 'vitest';
import { formatConstraints, parseConstraints } from './types.js';

describe('parseConstraints', () => {
  it('reads numbers from strings and keeps booleans and lists', () => {
    expect(parseConstraints('{"minimum":"30","maximum":"75","increment":"5","unit":"percent"}')).toEqual({ minimum: 30, maximum: 75, increment: 5, unit: 'percent' });
    expect(parseConstraints('{"ipv4static":true,"ipv4dhcp":true,"ipv4disable":false,"parameters":["mac"],"options":[null]}')).toEqual({ ipv4static: true, ipv4dhcp: true, ipv4disable: false, parameters: ['mac'], options: [] });
  });

  it('treats empty, null and {} as no constraints', () => {
    expect(parseConstraints('')).toEqual({});
    expect(parseConstraints(null)).toEqual({});
    expect(parseConstraints('{}')).toEqual({});
  });

  it('refuses what is not a JSON object, naming the attribute', () => {
    expect(() => parseConstraints('[1]', 'X')).toThrow('Cannot read the constraints of "X": it is not a JSON object');
    expect(() => parseConstraints('{"maxlen":"ten"}')).toThrow('Cannot read the constraints: "maxlen" must be a number, not "ten"');
  });

  it('formats numbers back as strings', () => {
    expect(formatConstraints({ maxlen: 64, ipv4dhcp: true })).toBe('{"maxlen":"64","ipv4dhcp":true}');
  });
});
