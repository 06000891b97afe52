import { describe, expect, it } from 'vitest';
import { bootDrive } from './qemu-driver.js';

describe('bootDrive', () => {
  it('attaches the OS volume over NBD as a raw virtio disk', () => {
    expect(bootDrive({ host: '10.0.0.5', port: 10809, exportName: 'osvol-ab' })).toEqual([
      '-drive', 'file.driver=nbd,file.server.type=inet,file.server.host=10.0.0.5,file.server.port=10809,file.export=osvol-ab,format=raw,if=virtio,cache=none',
    ]);
  });

  it('with TLS, verifies the server with the CA directory given (commas in option values doubled)', () => {
    expect(bootDrive({ host: '127.0.0.1', port: 1, exportName: 'v', tls: { caDir: '/data,1/tls/nbd-ca' } })).toEqual([
      '-object', 'tls-creds-x509,id=nbd-tls,dir=/data,,1/tls/nbd-ca,endpoint=client',
      '-drive', 'file.driver=nbd,file.server.type=inet,file.server.host=127.0.0.1,file.server.port=1,file.export=v,file.tls-creds=nbd-tls,format=raw,if=virtio,cache=none',
    ]);
  });
});
