import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABSENT, ClusterMap, DATA, TABLE_ENTRIES, ZERO } from './cluster-map.js';
import { closeFd, openFd } from './layer-files.js';

const dir = mkdtempSync(join(tmpdir(), 'cluster-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ClusterMap', () => {
  it('fill() and runEnd() work across second-level tables, and absent tables read ABSENT', () => {
    const map = new ClusterMap(3 * TABLE_ENTRIES + 5);
    expect(map.get(3 * TABLE_ENTRIES + 4)).toBe(ABSENT);
    map.fill(TABLE_ENTRIES - 2, TABLE_ENTRIES + 3, DATA);
    expect(map.get(TABLE_ENTRIES - 3)).toBe(ABSENT);
    expect(map.get(TABLE_ENTRIES - 2)).toBe(DATA);
    expect(map.get(TABLE_ENTRIES + 2)).toBe(DATA);
    expect(map.runEnd(0, map.clusterCount)).toBe(TABLE_ENTRIES - 2);
    expect(map.runEnd(TABLE_ENTRIES - 2, map.clusterCount)).toBe(TABLE_ENTRIES + 3);
    expect(map.runEnd(TABLE_ENTRIES + 3, map.clusterCount)).toBe(map.clusterCount);
    map.set(7, ZERO);
    expect(map.count(DATA)).toBe(5);
    expect(map.count(ZERO)).toBe(1);
  });

  it('a written snapshot loads back; changes after the snapshot are not in it', async () => {
    const path = join(dir, 'map');
    writeFileSync(path, '');
    const fd = await openFd(path, 'r+');
    const map = new ClusterMap(2 * TABLE_ENTRIES);
    map.fill(10, 20, DATA);
    const snapshot = map.takeDirty();
    map.set(TABLE_ENTRIES + 1, DATA);
    await map.write(fd, snapshot);
    const loaded = await ClusterMap.load(fd, 2 * TABLE_ENTRIES);
    expect(loaded.get(10)).toBe(DATA);
    expect(loaded.get(19)).toBe(DATA);
    expect(loaded.get(20)).toBe(ABSENT);
    expect(loaded.get(TABLE_ENTRIES + 1)).toBe(ABSENT);
    expect(map.hasDirty).toBe(true);
    await closeFd(fd);
  });
});
