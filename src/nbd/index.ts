// NBD server: exports Disks over the network (fixed newstyle, structured replies, base:allocation).
export { startNbdServer, DEFAULT_NBD_PORT } from './server.js';
export type { NbdServer, NbdServerOptions } from './server.js';
export { ExportRegistry } from './registry.js';
export type { ExportOptions, ExportSummary } from './registry.js';
export type { NbdLogger } from './logger.js';
export { exportFields, exportUri } from './endpoint.js';
export type { NbdEndpoint } from './endpoint.js';
