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

/** The export fields of a /storage document; all null when `name` is not exported. */
export function exportFields(endpoint: NbdEndpoint | undefined, name: string | null | undefined): {
  exportName: string | null;
  exportAddress: string | null;
  exportPort: number | null;
  exportUri: string | null;
  exportTls: 'off' | 'allow' | 'require' | null;
} {
  if (endpoint === undefined || name === undefined || name === null) {
    return { exportName: null, exportAddress: null, exportPort: null, exportUri: null, exportTls: null };
  }
  return {
    exportName: name,
    exportAddress: endpoint.host,
    exportPort: endpoint.port,
    exportUri: exportUri(endpoint, name),
    exportTls: endpoint.tls?.mode ?? 'off',
  };
}
