/**
 * Codes of everything src/policy can throw or answer with. The wire codes they show as are in
 * proto/wire's WIRE_ERROR_TABLE, the one place where internal codes become wire codes.
 */
export type PolicyErrorCode =
  /** A pushed body that cannot be a policy: not Wasm, no hook, traps or fails to link on load. */
  | 'ARQ_ERR_POLICY_MODULE'
  /** A policy name or tenant that is not allowed (what the admin API and KV keys can carry). */
  | 'ARQ_ERR_POLICY_NAME'
  /** A hook denied (or failed, which denies): `policy_denied` with the reason. */
  | 'ARQ_ERR_POLICY_DENIED'
  /** A hook denied and asked for the sender's socket to be closed (4003). */
  | 'ARQ_ERR_POLICY_DISCONNECT'
  /** Delete of a policy that is not in force. */
  | 'ARQ_ERR_POLICY_NOT_FOUND'
  /** The cluster's policy store (JetStream KV) failed or did not confirm in time. */
  | 'ARQ_ERR_POLICY_STORE'
  | 'ARQ_ERR_POLICY_OPTIONS'
  /** The build could not compile a policy's source. */
  | 'ARQ_ERR_POLICY_BUILD';

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  constructor(code: PolicyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
    this.code = code;
  }
}
