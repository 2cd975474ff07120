import { WireError } from '../../proto/wire/index.js';
import type { Cap, Principal } from '../auth/index.js';
import type { HttpRequest, TemplatedApp } from '../uws/index.js';
import { Reply, readBody } from './http-response.js';

/** The node's policy set as the admin API drives it (src/policy's PolicyHost implements it). */
export interface PolicyAdmin {
  /** The largest module body accepted. */
  readonly maxModuleBytes: number;
  /** Resolves once the new version is in force on this node; throws a refusal's error. */
  push(
    name: string,
    tenant: string | null,
    timeoutMs: string | null,
    bytes: Buffer,
  ): Promise<unknown>;
  list(): readonly unknown[];
  remove(name: string, tenant: string | null): Promise<void>;
}

type Authorize = (req: HttpRequest, cap: Cap) => Promise<Principal>;
type Fail = (reply: Reply, error: unknown) => void;

/**
 * PROTOCOL section 6's admin API: PUT, GET and DELETE of /v1/admin/policies, with a token that
 * has the `admin` cap. Every refusal is a wire error (400 bad_frame for a body that is not a
 * policy, 404 for a delete of none) and changes nothing.
 */
export function policyRoutes(
  app: TemplatedApp,
  admin: PolicyAdmin,
  authorize: Authorize,
  fail: Fail,
): void {
  app.put('/v1/admin/policies/:name', (res, req) => {
    const reply = new Reply(res);
    const name = decodeSegment(req.getParameter(0) ?? '');
    const tenant = tenantOf(req);
    const timeoutMs = req.getQuery('timeout_ms') ?? null;
    const principal = authorize(req, 'admin');
    const body = readBody(res, reply, admin.maxModuleBytes);
    void Promise.all([principal, body])
      .then(async ([, bytes]) => {
        if (bytes === null) return;
        const info = await admin.push(name, checkTenant(tenant), timeoutMs, bytes);
        reply.json('200 OK', info);
      })
      .catch((error: unknown) => fail(reply, error));
  });

  app.get('/v1/admin/policies', (res, req) => {
    const reply = new Reply(res);
    authorize(req, 'admin')
      .then(() => reply.json('200 OK', { policies: admin.list() }))
      .catch((error: unknown) => fail(reply, error));
  });

  app.del('/v1/admin/policies/:name', (res, req) => {
    const reply = new Reply(res);
    const name = decodeSegment(req.getParameter(0) ?? '');
    const tenant = tenantOf(req);
    authorize(req, 'admin')
      .then(async () => {
        await admin.remove(name, checkTenant(tenant));
        reply.json('200 OK', { removed: name, tenant: checkTenant(tenant) });
      })
      .catch((error: unknown) => fail(reply, error));
  });
}

/** `?tenant=` as given: undefined when absent (a global policy). */
function tenantOf(req: HttpRequest): string | undefined {
  const raw = req.getQuery('tenant');
  return raw === undefined ? undefined : (decodeSegment(raw) ?? '');
}

function checkTenant(tenant: string | undefined): string | null {
  if (tenant === undefined) return null;
  if (tenant === '')
    throw new WireError('bad_frame', 'tenant: empty; leave it out for a global policy');
  return tenant;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
