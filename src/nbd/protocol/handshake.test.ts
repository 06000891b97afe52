import { describe, expect, it } from 'vitest';
import * as C from './constants.js';
import { Handshake, type ExportCatalog, type ExportInfo } from './handshake.js';

const disk: ExportInfo = { name: 'vol', description: 'a volume', sizeBytes: 1n << 40n, transmissionFlags: C.NBD_FLAG_SEND_FLUSH };
const catalog: ExportCatalog = {
  lookup: (name) => (name === 'vol' ? disk : undefined),
  list: () => [{ name: 'vol', description: 'a volume' }, { name: 'other', description: '' }],
};

function option(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(C.IHAVEOPT, 0);
  b.writeUInt32BE(type, 8);
  b.writeUInt32BE(data.length, 12);
  return Buffer.concat([b, data]);
}
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const str = (s: string): Buffer => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
const goData = (name: string, infos: number[] = []): Buffer => Buffer.concat([str(name), u16(infos.length), ...infos.map(u16)]);
const metaData = (name: string, queries: string[]): Buffer => Buffer.concat([str(name), u32(queries.length), ...queries.map(str)]);
const clientFlags = u32(C.NBD_FLAG_C_FIXED_NEWSTYLE | C.NBD_FLAG_C_NO_ZEROES);

interface Reply { option: number; type: number; data: Buffer }
function replies(bytes: Buffer): Reply[] {
  const out: Reply[] = [];
  for (let at = 0; at < bytes.length; ) {
    expect(bytes.readBigUInt64BE(at)).toBe(C.OPTION_REPLY_MAGIC);
    const len = bytes.readUInt32BE(at + 16);
    out.push({ option: bytes.readUInt32BE(at + 8), type: bytes.readUInt32BE(at + 12), data: bytes.subarray(at + 20, at + 20 + len) });
    at += 20 + len;
  }
  return out;
}
function run(input: Buffer, h = new Handshake(catalog)): { h: Handshake; out: Buffer } {
  return { h, out: Buffer.concat(h.receive(input)) };
}

describe('Handshake', () => {
  it('greets with NBDMAGIC, IHAVEOPT and fixed-newstyle + no-zeroes flags', () => {
    expect(new Handshake(catalog).greeting().toString('hex')).toBe('4e42444d41474943' + '49484156454f5054' + '0003');
  });

  it('closes on unknown client flags', () => {
    const { h } = run(u32(0x80));
    expect(h.status).toMatchObject({ state: 'closed' });
  });

  it('closes on a bad option magic', () => {
    const { h } = run(Buffer.concat([clientFlags, Buffer.alloc(16)]));
    expect(h.status.state).toBe('closed');
  });

  it('answers NBD_OPT_LIST with one SERVER reply per export, then ACK', () => {
    const r = replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_LIST)])).out);
    expect(r.map((x) => x.type)).toEqual([C.NBD_REP_SERVER, C.NBD_REP_SERVER, C.NBD_REP_ACK]);
    expect(r[0]!.data.readUInt32BE(0)).toBe(3);
    expect(r[0]!.data.subarray(4).toString()).toBe('vola volume');
  });

  it('refuses NBD_OPT_LIST with data as invalid and goes on', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_LIST, Buffer.from('x'))]));
    expect(replies(out)[0]!.type).toBe(C.NBD_REP_ERR_INVALID);
    expect(h.status.state).toBe('negotiating');
  });

  it('NBD_OPT_GO on a known export sends INFO_EXPORT, BLOCK_SIZE, ACK and enters transmission', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_GO, goData('vol', [C.NBD_INFO_DESCRIPTION]))]));
    const r = replies(out);
    expect(r.map((x) => x.type)).toEqual([C.NBD_REP_INFO, C.NBD_REP_INFO, C.NBD_REP_INFO, C.NBD_REP_ACK]);
    expect(r[0]!.data.readUInt16BE(0)).toBe(C.NBD_INFO_EXPORT);
    expect(r[0]!.data.readBigUInt64BE(2)).toBe(1n << 40n);
    expect(r[0]!.data.readUInt16BE(10)).toBe(C.NBD_FLAG_SEND_FLUSH | C.NBD_FLAG_HAS_FLAGS);
    expect(r[1]!.data.subarray(2).toString()).toBe('a volume');
    expect(r[2]!.data.readUInt16BE(0)).toBe(C.NBD_INFO_BLOCK_SIZE);
    expect(h.status).toMatchObject({ state: 'transmission', negotiated: { exportName: 'vol', structuredReplies: false } });
  });

  it('NBD_OPT_INFO answers like GO but stays in negotiation', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_INFO, goData('vol'))]));
    expect(replies(out).at(-1)!.type).toBe(C.NBD_REP_ACK);
    expect(h.status.state).toBe('negotiating');
  });

  it('NBD_OPT_GO on an unknown export replies ERR_UNKNOWN and goes on', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_GO, goData('nope'))]));
    expect(replies(out)[0]!.type).toBe(C.NBD_REP_ERR_UNKNOWN);
    expect(h.status.state).toBe('negotiating');
  });

  it('NBD_OPT_GO with a name length past the data is invalid', () => {
    const bad = Buffer.concat([u32(1000), Buffer.from('vol'), u16(0)]);
    expect(replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_GO, bad)])).out)[0]!.type).toBe(C.NBD_REP_ERR_INVALID);
  });

  it('NBD_OPT_EXPORT_NAME replies size and flags without zeroes when NO_ZEROES was sent', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_EXPORT_NAME, Buffer.from('vol'))]));
    expect(out.length).toBe(10);
    expect(out.readBigUInt64BE(0)).toBe(1n << 40n);
    expect(h.status.state).toBe('transmission');
  });

  it('NBD_OPT_EXPORT_NAME pads with 124 zeroes for a client without NO_ZEROES; unknown names close', () => {
    expect(run(Buffer.concat([u32(1), option(C.NBD_OPT_EXPORT_NAME, Buffer.from('vol'))])).out.length).toBe(134);
    expect(run(Buffer.concat([u32(1), option(C.NBD_OPT_EXPORT_NAME, Buffer.from('x'))])).h.status.state).toBe('closed');
  });

  it('NBD_OPT_ABORT is acknowledged and ends the handshake', () => {
    const { h, out } = run(Buffer.concat([clientFlags, option(C.NBD_OPT_ABORT)]));
    expect(replies(out)[0]!.type).toBe(C.NBD_REP_ACK);
    expect(h.status.state).toBe('closed');
  });

  it('unknown options get ERR_UNSUP; oversized option data is skipped with ERR_TOO_BIG', () => {
    const big = option(4242, Buffer.alloc(C.MAX_OPTION_BYTES + 1));
    const { h, out } = run(Buffer.concat([clientFlags, option(99), big, option(C.NBD_OPT_LIST)]));
    expect(replies(out).map((r) => r.type)).toEqual([C.NBD_REP_ERR_UNSUP, C.NBD_REP_ERR_TOO_BIG, C.NBD_REP_SERVER, C.NBD_REP_SERVER, C.NBD_REP_ACK]);
    expect(h.status.state).toBe('negotiating');
  });

  it('meta contexts need structured replies first', () => {
    const r = replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_SET_META_CONTEXT, metaData('vol', [C.BASE_ALLOCATION]))])).out);
    expect(r[0]!.type).toBe(C.NBD_REP_ERR_INVALID);
  });

  it('selects base:allocation for the export and carries its id into transmission', () => {
    const input = Buffer.concat([
      clientFlags,
      option(C.NBD_OPT_STRUCTURED_REPLY),
      option(C.NBD_OPT_LIST_META_CONTEXT, metaData('vol', [])),
      option(C.NBD_OPT_SET_META_CONTEXT, metaData('vol', ['x-other:thing', C.BASE_ALLOCATION])),
      option(C.NBD_OPT_GO, goData('vol')),
    ]);
    const { h, out } = run(input);
    const r = replies(out);
    expect(r.slice(0, 5).map((x) => x.type)).toEqual([C.NBD_REP_ACK, C.NBD_REP_META_CONTEXT, C.NBD_REP_ACK, C.NBD_REP_META_CONTEXT, C.NBD_REP_ACK]);
    expect(r[3]!.data.readUInt32BE(0)).toBe(1);
    expect(r[3]!.data.subarray(4).toString()).toBe('base:allocation');
    expect(h.status).toMatchObject({ state: 'transmission', negotiated: { structuredReplies: true, baseAllocationId: 1 } });
  });

  it('a context selected for another export name is not active after GO', () => {
    const input = Buffer.concat([
      clientFlags,
      option(C.NBD_OPT_STRUCTURED_REPLY),
      option(C.NBD_OPT_SET_META_CONTEXT, metaData('other', [C.BASE_ALLOCATION])),
      option(C.NBD_OPT_GO, goData('vol')),
    ]);
    const { h } = run(input);
    expect(h.status).toMatchObject({ state: 'transmission', negotiated: { baseAllocationId: undefined } });
  });

  it('gives the same replies whatever way the input is split, and hands over bytes after GO', () => {
    const input = Buffer.concat([
      clientFlags,
      option(C.NBD_OPT_STRUCTURED_REPLY),
      option(C.NBD_OPT_LIST),
      option(C.NBD_OPT_SET_META_CONTEXT, metaData('vol', [C.BASE_ALLOCATION])),
      option(C.NBD_OPT_GO, goData('vol', [C.NBD_INFO_NAME])),
      Buffer.from('tail'),
    ]);
    const whole = run(input);
    for (let cut = 1; cut < input.length; cut++) {
      const h = new Handshake(catalog);
      const first = h.receive(input.subarray(0, cut));
      // Once in transmission the handshake takes no more bytes: the session hands them to the parser.
      const early = h.status.state === 'transmission' ? input.subarray(cut) : Buffer.alloc(0);
      const out = Buffer.concat([...first, ...h.receive(input.subarray(cut))]);
      expect(out.equals(whole.out)).toBe(true);
      expect(h.status.state === 'transmission' && Buffer.concat([h.status.rest, early]).toString()).toBe('tail');
    }
  });

  describe('STARTTLS', () => {
    const go = option(C.NBD_OPT_GO, goData('vol'));
    it('is refused as unsupported when TLS is not configured', () => {
      const r = replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_STARTTLS)])).out);
      expect(r.map((x) => x.type)).toEqual([C.NBD_REP_ERR_UNSUP]);
    });

    it('is acknowledged when TLS is offered; negotiation waits for tlsStarted() and starts afresh: nothing agreed before TLS is kept', () => {
      const h = new Handshake(catalog, 'allow');
      const before = Buffer.concat([clientFlags, option(C.NBD_OPT_STRUCTURED_REPLY), option(C.NBD_OPT_SET_META_CONTEXT, metaData('vol', [C.BASE_ALLOCATION])), option(C.NBD_OPT_STARTTLS)]);
      const r = replies(run(before, h).out);
      expect(r.map((x) => x.type)).toEqual([C.NBD_REP_ACK, C.NBD_REP_META_CONTEXT, C.NBD_REP_ACK, C.NBD_REP_ACK]);
      expect(r[3]!.option).toBe(C.NBD_OPT_STARTTLS);
      expect(h.status).toMatchObject({ state: 'starttls' });
      expect(h.receive(go)).toEqual([]); // nothing is read in clear text once STARTTLS is acknowledged
      h.tlsStarted();
      expect(h.encrypted).toBe(true);
      const again = replies(run(option(C.NBD_OPT_STARTTLS), h).out);
      expect(again.map((x) => x.type)).toEqual([C.NBD_REP_ERR_INVALID]);
      run(go, h);
      expect(h.status).toMatchObject({ state: 'transmission', negotiated: { exportName: 'vol', structuredReplies: false, baseAllocationId: undefined } });
    });

    it('with data is invalid', () => {
      const r = replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_STARTTLS, Buffer.from('x'))]), new Handshake(catalog, 'allow')).out);
      expect(r.map((x) => x.type)).toEqual([C.NBD_REP_ERR_INVALID]);
    });

    it('when TLS is offered, a client may also go on without it', () => {
      const { h } = run(Buffer.concat([clientFlags, go]), new Handshake(catalog, 'allow'));
      expect(h.status).toMatchObject({ state: 'transmission', negotiated: { exportName: 'vol' } });
      expect(h.encrypted).toBe(false);
    });

    it('when TLS is required, options before it get TLS_REQD (ABORT still works) and EXPORT_NAME closes', () => {
      const h = new Handshake(catalog, 'require');
      const r = replies(run(Buffer.concat([clientFlags, option(C.NBD_OPT_LIST), go, option(C.NBD_OPT_STRUCTURED_REPLY), option(C.NBD_OPT_INFO, goData('vol'))]), h).out);
      expect(r.map((x) => x.type)).toEqual([C.NBD_REP_ERR_TLS_REQD, C.NBD_REP_ERR_TLS_REQD, C.NBD_REP_ERR_TLS_REQD, C.NBD_REP_ERR_TLS_REQD]);
      expect(r[1]!.data.toString()).toMatch(/requires TLS/);
      expect(h.status.state).toBe('negotiating');
      const aborted = run(Buffer.concat([clientFlags, option(C.NBD_OPT_ABORT)]), new Handshake(catalog, 'require'));
      expect(replies(aborted.out).map((x) => x.type)).toEqual([C.NBD_REP_ACK]);
      expect(aborted.h.status.state).toBe('closed');
      const named = run(Buffer.concat([clientFlags, option(C.NBD_OPT_EXPORT_NAME, Buffer.from('vol'))]), new Handshake(catalog, 'require'));
      expect(named.out.length).toBe(0);
      expect(named.h.status).toMatchObject({ state: 'closed', reason: expect.stringMatching(/TLS is required/) });
      // over TLS the same options are answered
      const tls = new Handshake(catalog, 'require');
      run(Buffer.concat([clientFlags, option(C.NBD_OPT_STARTTLS)]), tls);
      tls.tlsStarted();
      run(Buffer.concat([option(C.NBD_OPT_STRUCTURED_REPLY), go]), tls);
      expect(tls.status).toMatchObject({ state: 'transmission', negotiated: { exportName: 'vol', structuredReplies: true } });
    });
  });
});
