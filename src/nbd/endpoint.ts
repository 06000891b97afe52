// Where clients reach the appliance's NBD server, as the REST API reports it and compute modules boot from.

export interface NbdEndpoint {
  host: string;
  port: number;
  /**
   * TLS on the server (NBD_OPT_STARTTLS): offered, or required. `caDir` holds `ca-cert.pem`, the certificate
   * a client verifies the server with (QEMU's tls-creds-x509 and libnbd's tls-certificates read that layout).
   */
  tls?: { mode: 'allow' | 'require'; caDir: string };
}

/** The URI of export `name`: nbds:// where TLS is required, nbd:// otherwise. */
export function exportUri(endpoint: NbdEndpoint, name: string): string {
  return `${endpoint.tls?.mode === 'require' ? 'nbds' : 'nbd'}://${endpoint.host}:${endpoint.port}/${name}`;
}

/** TLS on the endpoint as the storage documents show it. */
export function exportTls(endpoint: NbdEndpoint): 'off' | 'allow' | 'require' {
  return endpoint.tls?.mode ?? 'off';
}
