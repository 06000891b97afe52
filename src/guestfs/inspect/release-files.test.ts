import { describe, expect, test } from 'vitest';
import { applyGeneric, applyOsRelease, applySuseRelease, parseKeyValues, parseMajorMinor, type ReleaseInfo } from './release-files.js';

describe('release files', () => {
  test('parseKeyValues removes shell quotes and skips comments', () => {
    const v = parseKeyValues('# c\nNAME="Debian GNU/Linux"\nID=debian\nX=\'single\'\nY="a \\"q\\""\n');
    expect(Object.fromEntries(v)).toEqual({ NAME: 'Debian GNU/Linux', ID: 'debian', X: 'single', Y: 'a "q"' });
  });

  test('parseMajorMinor takes the first version in the text', () => {
    expect(parseMajorMinor('12.5')).toEqual({ major: 12, minor: 5 });
    expect(parseMajorMinor('Ubuntu 22.04.3 LTS')).toEqual({ major: 22, minor: 4 });
    expect(parseMajorMinor('9')).toEqual({ major: 9, minor: 0 });
    expect(parseMajorMinor('bookworm/sid')).toBeUndefined();
  });

  test('os-release with a full version is final', () => {
    const info: ReleaseInfo = {};
    expect(applyOsRelease('ID=ubuntu\nPRETTY_NAME="Ubuntu 22.04.3 LTS"\nVERSION_ID="22.04"\n', info)).toBe(true);
    expect(info).toEqual({ distro: 'ubuntu', productName: 'Ubuntu 22.04.3 LTS', version: { major: 22, minor: 4 } });
  });

  test('Debian os-release (major only) defers to /etc/debian_version, which sets the product name', () => {
    const info: ReleaseInfo = {};
    expect(applyOsRelease('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n', info)).toBe(false);
    expect(applyGeneric('12.5\n', 'debian', info)).toBe(true);
    expect(info).toEqual({ distro: 'debian', productName: '12.5', version: { major: 12, minor: 5 } });
  });

  test('an unknown os-release ID or no VERSION_ID is not final', () => {
    expect(applyOsRelease('ID=nixos\nPRETTY_NAME="NixOS"\nVERSION_ID="23.11"\n', {})).toBe(false);
    expect(applyOsRelease('ID=fedora\nPRETTY_NAME="Fedora Linux"\n', {})).toBe(false);
  });

  test('redhat-release patterns give RHEL major and minor, and fail when they do not match', () => {
    const info: ReleaseInfo = {};
    const text = 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n';
    expect(applyGeneric(text, 'fedora', info, /Fedora release (\d+)/)).toBe(false);
    expect(applyGeneric(text, 'rhel', info, /Red Hat.*release (\d+)\.(\d+)/)).toBe(true);
    expect(info).toEqual({ distro: 'rhel', productName: 'Red Hat Enterprise Linux release 8.9 (Ootpa)', version: { major: 8, minor: 9 } });
  });

  test('SuSE-release gives SLES version and patch level', () => {
    const info: ReleaseInfo = {};
    applySuseRelease('SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n', info);
    expect(info).toEqual({ distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 (x86_64)', version: { major: 11, minor: 4 } });
  });
});
