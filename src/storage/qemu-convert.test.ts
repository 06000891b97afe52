import { describe, expect, it } from 'vitest';
import { QemuProgressParser } from './qemu-convert.js';

// what `qemu-img convert -p` 7.2 printed on stdout for a 24 MiB qcow2
const OUTPUT = '    (0.00/100%)\r    (6.25/100%)\r    (18.75/100%)\r    (56.24/100%)\r    (99.98/100%)\r    (100.00/100%)\r    (100.00/100%)\r\n';
const PERCENTS = [0, 6.25, 18.75, 56.24, 99.98, 100, 100];

describe('QemuProgressParser', () => {
  it('reads every percentage of qemu-img convert -p, whole', () => {
    expect(new QemuProgressParser().push(OUTPUT)).toEqual(PERCENTS);
  });

  it('reads the same from the output split at every byte, and only once a line is complete', () => {
    for (let cut = 0; cut <= OUTPUT.length; cut++) {
      const parser = new QemuProgressParser();
      expect([...parser.push(OUTPUT.slice(0, cut)), ...parser.push(OUTPUT.slice(cut))]).toEqual(PERCENTS);
    }
    const parser = new QemuProgressParser();
    expect(parser.push('    (12.5/100%)')).toEqual([]);
    expect(parser.push('\r')).toEqual([12.5]);
  });

  it('ignores other output', () => {
    expect(new QemuProgressParser().push('qemu-img: warning: something\n(50/100%)\r')).toEqual([50]);
  });
});
