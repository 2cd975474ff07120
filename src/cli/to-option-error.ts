import { errors as natsErrors } from '@nats-io/transport-node';
import { AuthError } from '../auth/index.js';
import {
  ConfigError,
  type NodeConfig,
  type OptionName,
  type OptionOrigins,
  optionOfField,
  redactNatsUrl,
} from '../config/index.js';
import { EdgeError } from '../edge/index.js';
import { NodeError, verifierField } from '../node/index.js';

/** What an error thrown while a node is built or started is traced back through. */
export interface OptionErrorContext {
  readonly config: NodeConfig;
  readonly origins: OptionOrigins;
  readonly devSecret: string | null;
}

/** The EdgeOptions fields the start command fills from options (see checkEdgeTls). */
const EDGE_FIELDS: Readonly<Record<string, keyof NodeConfig>> = {
  'tls.certFile': 'tlsCert',
  'tls.keyFile': 'tlsKey',
};

/** A component's reason, on one line. */
function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/**
 * The one place where a component's error about a value it was handed becomes an error about the
 * option the user set: `option jwt-secret (from environment ARQ_JWT_SECRET): must be ...`, with
 * the component's error as its cause. Null for errors that are no option's fault.
 */
export function toOptionError(err: unknown, context: OptionErrorContext): ConfigError | null {
  const { config, origins, devSecret } = context;
  if (err instanceof ConfigError) return err;
  if (err instanceof AuthError && err.code === 'ARQ_ERR_AUTH_OPTIONS' && err.fault !== null) {
    const field = verifierField(config, devSecret, err.fault.path);
    return field === null ? null : origins.invalid(optionOfField(field), err.fault.problem, err);
  }
  if (err instanceof EdgeError && err.code === 'ARQ_ERR_EDGE_OPTIONS' && err.fault !== null) {
    const field = EDGE_FIELDS[err.fault.path];
    return field === undefined
      ? null
      : origins.invalid(optionOfField(field), err.fault.problem, err);
  }
  if (err instanceof EdgeError && err.code === 'ARQ_ERR_EDGE_LISTEN') {
    return origins.error(
      'ARQ_ERR_CONFIG_UNUSABLE',
      // Port 0 is any free port: then only the host can be wrong.
      config.port === 0 ? ['host'] : setFirst(origins, ['port', 'host']),
      `cannot listen on ${config.host}:${config.port} (no such local address, or the port is taken)`,
      err,
    );
  }
  if (err instanceof NodeError && err.code === 'ARQ_ERR_NODE_CONFIG') {
    return new ConfigError('ARQ_ERR_CONFIG_INVALID', err.message, { cause: err });
  }
  if (config.nats !== null) return natsError(err, context, config.nats);
  return null;
}

/**
 * The NATS client's errors while the node joins its cluster. Only the cluster resolves names or
 * opens outgoing connections while the node starts, so a failed lookup or connect is NATS's too.
 */
function natsError(err: unknown, context: OptionErrorContext, nats: string): ConfigError | null {
  const { origins } = context;
  const server = redactNatsUrl(nats);
  const withUser = origins.isSet('nats-user');
  if (err instanceof natsErrors.AuthorizationError) {
    return withUser
      ? origins.error(
          'ARQ_ERR_CONFIG_UNUSABLE',
          ['nats-user', 'nats-password'],
          `the NATS server ${server} refused them (${reasonOf(err)})`,
          err,
        )
      : origins.error(
          'ARQ_ERR_CONFIG_UNUSABLE',
          ['nats'],
          `the NATS server ${server} wants credentials: set nats-user and nats-password (${reasonOf(err)})`,
          err,
        );
  }
  if (err instanceof natsErrors.PermissionViolationError) {
    return origins.error(
      'ARQ_ERR_CONFIG_UNUSABLE',
      withUser ? ['nats-user', 'nats'] : ['nats'],
      `the NATS server ${server} does not let this user use the cluster's subjects (${reasonOf(err)})`,
      err,
    );
  }
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  if (
    err instanceof natsErrors.ConnectionError ||
    err instanceof natsErrors.TimeoutError ||
    syscall === 'getaddrinfo' ||
    syscall === 'connect'
  ) {
    return origins.error(
      'ARQ_ERR_CONFIG_UNUSABLE',
      ['nats'],
      `cannot connect to ${server} (${reasonOf(err)})`,
      err,
    );
  }
  return null;
}

/** The options the user set first, then the defaults: the likelier culprits lead. */
function setFirst(
  origins: OptionOrigins,
  options: readonly [OptionName, ...OptionName[]],
): [OptionName, ...OptionName[]] {
  const set = options.filter((option) => origins.isSet(option));
  const unset = options.filter((option) => !origins.isSet(option));
  return [...set, ...unset] as [OptionName, ...OptionName[]];
}
