import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABSENT, ALL_SUBCLUSTERS, ClusterMap, DATA, PARTIAL, TABLE_ENTRIES, ZERO } from './cluster-map.js';
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

  it('sub-cluster masks: added up to DATA, cleared with the state, persisted beside their table', async () => {
    const path = join(dir, 'map-bits');
    writeFileSync(path, '');
    const fd = await openFd(path, 'r+');
    const map = new ClusterMap(2 * TABLE_ENTRIES);
    map.addSubclusters(5, 0b0110);
    map.addSubclusters(5, 0b1000);
    expect(map.get(5)).toBe(PARTIAL);
    expect(map.subclusters(5)).toBe(0b1110);
    map.addSubclusters(TABLE_ENTRIES + 9, 0x8000);
    map.addSubclusters(6, 0x7fff);
    map.addSubclusters(6, 0x8000);
    expect(map.get(6)).toBe(DATA);
    expect(map.subclusters(6)).toBe(ALL_SUBCLUSTERS);
    map.addSubclusters(7, 1);
    map.set(7, ZERO);
    expect(map.subclusters(7)).toBe(0);
    map.set(7, ABSENT);
    map.addSubclusters(7, 2);
    expect(map.subclusters(7)).toBe(2); // not 3: the old mask went with the ZERO
    map.fill(8, 9, DATA); // a table of the first 65536 clusters without PARTIAL ones would have no bitmap
    await map.write(fd, map.takeDirty());

    const loaded = await ClusterMap.load(fd, 2 * TABLE_ENTRIES);
    expect([loaded.get(5), loaded.subclusters(5)]).toEqual([PARTIAL, 0b1110]);
    expect([loaded.get(6), loaded.subclusters(6)]).toEqual([DATA, ALL_SUBCLUSTERS]);
    expect(loaded.subclusters(7)).toBe(2);
    expect([loaded.get(TABLE_ENTRIES + 9), loaded.subclusters(TABLE_ENTRIES + 9)]).toEqual([PARTIAL, 0x8000]);
    expect(loaded.get(8)).toBe(DATA);
    await closeFd(fd);
  });

  it('loads a map written before sub-clusters (first-level byte 1, no bitmaps)', async () => {
    const path = join(dir, 'map-v1');
    const old = Buffer.alloc(4096 + TABLE_ENTRIES);
    old[0] = 1;
    old.fill(DATA, 4096 + 3, 4096 + 7);
    old[4096 + 9] = ZERO;
    writeFileSync(path, old);
    const fd = await openFd(path, 'r+');
    const loaded = await ClusterMap.load(fd, TABLE_ENTRIES);
    expect([2, 3, 6, 7, 9].map((c) => loaded.get(c))).toEqual([ABSENT, DATA, DATA, ABSENT, ZERO]);
    expect(loaded.subclusters(3)).toBe(ALL_SUBCLUSTERS);
    await closeFd(fd);
  });
});
