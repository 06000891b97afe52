// Where the crash child writes, shared by the child and the test that checks its work.
export const REGION = 80 * 1024;
export const WRITE = 8 * 1024;

/** Where write `i` goes: its own 80 KiB region, at an unaligned place that crosses no region. */
export const writeOffset = (i: number): number => i * REGION + ((i * 4099) % (REGION - WRITE));
export const writeByte = (i: number): number => (i % 250) + 1;
