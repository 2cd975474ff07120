import { isIP } from 'node:net';
import { quoteValue } from './option-reader.js';

/**
 * Host names: dot-separated labels of letters, digits and inner hyphens (RFC 1123), and
 * underscores, which container names have and resolvers accept.
 */
const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
/** The schemes the Node NATS transport speaks; ws:// needs the WebSocket transport, not used here. */
const NATS_SCHEMES = ['nats:', 'tls:'];

/** Why `host` cannot be listened on, or null: it must be an IP address or a host name. */
export function hostProblem(host: string): string | null {
  if (isIP(host) !== 0 || HOSTNAME_RE.test(host)) return null;
  const hint = /^\[.*\]$/.test(host) ? ' (write an IPv6 address without brackets)' : '';
  return `must be an IP address or a host name, got ${quoteValue(host)}${hint}`;
}

/** NATS server URLs (comma-separated) with their passwords hidden, for messages. */
export function redactNatsUrl(servers: string): string {
  return servers
    .split(',')
    .map((server) => server.replace(/^(\s*(?:[a-z]+:\/\/)?[^:@/]*:)[^@/]*@/i, '$1***@'))
    .join(',');
}

/**
 * Why `value` is no list of NATS servers, or null. Like the NATS client: comma-separated,
 * `[nats|tls://][user:pass@]host[:port]`, where a server without a scheme is nats://.
 */
export function natsServersProblem(value: string): string | null {
  for (const raw of value.split(',')) {
    const server = raw.trim();
    const shown = quoteValue(redactNatsUrl(server));
    if (server.length === 0)
      return `must be a comma-separated list of NATS URLs, got an empty entry`;
    let url: URL;
    try {
      url = new URL(server.includes('://') ? server : `nats://${server}`);
    } catch {
      return `must be a NATS URL like nats://host:4222, got ${shown}`;
    }
    if (!NATS_SCHEMES.includes(url.protocol)) {
      return `must be a nats:// or tls:// URL, got ${shown}`;
    }
    if (url.hostname.length === 0) return `must name a host, got ${shown}`;
    if (url.port === '0') return `must not use port 0, got ${shown}`;
    if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
      return `must be scheme, host and port only, got ${shown}`;
    }
  }
  return null;
}
