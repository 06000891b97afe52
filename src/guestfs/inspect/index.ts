// OS inspection (inspect-os, inspect-get-*) over a guest's filesystems, with guestfish's output formats.
export { formatHash, formatList, inspectionOf, inspectOs, type InspectCandidate, type OsInspection } from './inspect.js';
export { parseFstab, resolveFstabDevice, type FstabEntry, type KnownFilesystem } from './fstab.js';
export { LINUX_RELEASE_TESTS, parseKeyValues, parseMajorMinor, type ReleaseInfo } from './release-files.js';
