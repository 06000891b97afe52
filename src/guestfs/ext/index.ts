// ext2/3/4 filesystems inside a Disk, as ImageFs (through the ext2fs WebAssembly module in a worker).
export { openExt, type OpenExtOptions } from './ext-fs.js';
export { needsRecovery, parseExtSuperblock, readExtSuperblock, type ExtSuperblock } from './superblock.js';
export { ExtWorkerPool, type ExtWorkerPoolOptions } from './worker-pool.js';
