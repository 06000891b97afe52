// /etc/fstab of an inspected root: which of the guest's filesystems go where, with device names resolved
// the way libguestfs does (UUID=, LABEL=, PARTUUID=, /dev/vdX and /dev/hdX as /dev/sdX).

export interface FstabEntry {
  spec: string;
  mountpoint: string;
  type: string;
}

/** Entries that name a block device (not proc, tmpfs, nfs…) and mount on an absolute path or as swap. */
export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [spec, mountpoint, type] = line.split(/\s+/).map(unescapeOctal);
    if (spec === undefined || mountpoint === undefined) continue;
    if (!/^(\/dev\/|UUID=|LABEL=|PARTUUID=|PARTLABEL=)/.test(spec)) continue;
    if (!mountpoint.startsWith('/') && mountpoint !== 'swap' && type !== 'swap') continue;
    out.push({ spec, mountpoint, type: type ?? '' });
  }
  return out;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface KnownFilesystem {
  device: string;
  uuid?: string;
  label?: string;
  partUuid?: string;
  partLabel?: string;
}

const unquote = (s: string): string => s.replace(/^"(.*)"$/, '$1');

/**
 * The guestfish device for an fstab spec. UUID=, LABEL=, PARTUUID=, PARTLABEL= (and /dev/disk/by-* links)
 * resolve to the matching filesystem or to undefined. A guest partition name like /dev/vda2 or /dev/xvda2
 * becomes /dev/sda2 when that partition exists; any other /dev name is kept as written (guestfish 1.48 shows
 * an fstab `/dev/vdb` swap line as `/dev/vdb`).
 */
export function resolveFstabDevice(spec: string, known: KnownFilesystem[]): string | undefined {
  const eq = spec.indexOf('=');
  const key = spec.startsWith('/') ? '' : spec.slice(0, eq);
  const value = unquote(spec.slice(eq + 1));
  const lower = value.toLowerCase();
  switch (key) {
    case 'UUID':
      return known.find((k) => k.uuid?.toLowerCase() === lower)?.device;
    case 'PARTUUID':
      return known.find((k) => k.partUuid?.toLowerCase() === lower)?.device;
    case 'LABEL':
      return known.find((k) => k.label === value)?.device;
    case 'PARTLABEL':
      return known.find((k) => k.partLabel === value)?.device;
    default:
      break;
  }
  const byId = /^\/dev\/disk\/by-(uuid|label|partuuid|partlabel)\/(.+)$/.exec(spec);
  if (byId) {
    const kind = { uuid: 'UUID', label: 'LABEL', partuuid: 'PARTUUID', partlabel: 'PARTLABEL' }[byId[1] as 'uuid'];
    return resolveFstabDevice(`${kind}=${byId[2] ?? ''}`, known) ?? spec;
  }
  const xdev = /^\/dev\/(?:[hsv]|xv)d([a-z]+)(\d+)$/.exec(spec);
  const device = xdev ? `/dev/sd${xdev[1] ?? ''}${xdev[2] ?? ''}` : spec;
  return known.some((k) => k.device === device) ? device : spec;
}
