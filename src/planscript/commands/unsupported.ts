// guestfish commands the native engine does not run, with the reason the pre-flight pass gives. Any other
// guestfish command without a file here is refused the same way, with a general reason.

export const UNSUPPORTED_REASONS: ReadonlyMap<string, string> = new Map([
  ['command', 'runs a program inside the guest'],
  ['command-lines', 'runs a program inside the guest'],
  ['sh', 'runs a shell inside the guest'],
  ['sh-lines', 'runs a shell inside the guest'],
  ['ll', 'prints "ls -la" output, which the native engine does not reproduce'],
  ['llz', 'prints "ls -laZ" output, which the native engine does not reproduce'],
  ['mount-options', 'mounts with kernel options'],
  ['mount-vfs', 'mounts with a kernel filesystem type and options'],
  ['vgrename', 'changes LVM metadata'],
  ['tar-in', 'unpacks a tar archive inside the guest'],
  ['tar-out', 'packs a tar archive of guest files'],
  ['tgz-in', 'unpacks a tar archive inside the guest'],
  ['tgz-out', 'packs a tar archive of guest files'],
  ['edit', 'opens an interactive editor'],
  ['vi', 'opens an interactive editor'],
  ['emacs', 'opens an interactive editor'],
]);

export function unsupportedReason(name: string): string {
  return UNSUPPORTED_REASONS.get(name) ?? 'is a guestfish command the native engine does not implement';
}
