import type { Child, ChildSpec, ExitReason } from './child.js';
import { SHUTDOWN_EXIT } from './child.js';
import { type ChildInfo, ChildSlot } from './child-slot.js';
import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';
import {
  type BaseSupervisorOptions,
  type ResolvedBaseOptions,
  resolveBaseOptions,
} from './resolve-base-options.js';
import { type ResolvedChildSpec, resolveChildSpec } from './resolve-child-spec.js';
import { affectedChildren, RESTART_STRATEGIES, type RestartStrategy } from './restart-strategy.js';
import { type SupervisorChildSpecExtra, supervisorChildSpec } from './supervisor-child-spec.js';
import { SupervisorCore } from './supervisor-core.js';

export const DEFAULT_SUPERVISOR_NAME = 'supervisor';

export interface SupervisorOptions extends BaseSupervisorOptions {
  readonly strategy: RestartStrategy;
  /** Started in this order, stopped in reverse. */
  readonly children: readonly ChildSpec[];
}

interface ResolvedSupervisorOptions extends ResolvedBaseOptions {
  readonly strategy: RestartStrategy;
  readonly children: readonly ResolvedChildSpec[];
}

function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  const base = resolveBaseOptions(options, DEFAULT_SUPERVISOR_NAME);
  if (!RESTART_STRATEGIES.includes(options.strategy))
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options.strategy must be one of ${RESTART_STRATEGIES.join(', ')}, got ${describeValue(options.strategy)}`,
    );
  if (!Array.isArray(options.children))
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options.children must be an array of child specs, got ${describeValue(options.children)}`,
    );
  const seen = new Set<string>();
  const children = options.children.map((spec, index) => {
    const resolved = resolveChildSpec(spec, `options.children[${index}]`);
    if (seen.has(resolved.id))
      throw new SupervisorError(
        'ARQ_ERR_SUPERVISOR_OPTIONS',
        `options.children[${index}].id must be unique, '${resolved.id}' is used twice`,
      );
    seen.add(resolved.id);
    return resolved;
  });
  return { ...base, strategy: options.strategy, children };
}

/**
 * An OTP-style supervisor over a fixed, ordered list of children (more can be added with
 * startChild). It is itself a Child, so supervisors nest: when it gives up (restart intensity
 * exceeded) it exits with ARQ_ERR_RESTART_INTENSITY, which its parent sees, as in OTP, as
 * `shutdown` (see exitSeenByParent).
 */
export class Supervisor implements Child {
  readonly #core: SupervisorCore;
  readonly #strategy: RestartStrategy;
  #slots: ChildSlot[];

  /** A ChildSpec (type 'supervisor', shutdown 'infinity' by default) that creates and starts one. */
  static childSpec(
    id: string,
    options: SupervisorOptions,
    extra: SupervisorChildSpecExtra = {},
  ): ChildSpec {
    resolveSupervisorOptions(options); // fail when the tree is declared, not on its first start
    return supervisorChildSpec(id, extra, async () => {
      const supervisor = new Supervisor(options);
      await supervisor.start();
      return supervisor;
    });
  }

  constructor(options: SupervisorOptions) {
    const resolved = resolveSupervisorOptions(options);
    this.#strategy = resolved.strategy;
    this.#slots = resolved.children.map((spec) => new ChildSlot(spec));
    this.#core = new SupervisorCore({
      name: resolved.name,
      intensity: resolved.intensity,
      onEvent: resolved.onEvent,
      slots: () => this.#slots,
      owns: (slot) => this.#slots.includes(slot),
      remove: (slot) => {
        this.#slots = this.#slots.filter((s) => s !== slot);
      },
      affected: (dead) => affectedChildren(this.#strategy, this.#slots, dead),
      keepsEndedChildren: true,
    });
  }

  get name(): string {
    return this.#core.name;
  }

  get strategy(): RestartStrategy {
    return this.#strategy;
  }

  /** Settles (never rejects) once the supervisor and all its children have exited. */
  get exited(): Promise<ExitReason> {
    return this.#core.exited;
  }

  /** Starts the children in order; on a failure stops the started ones in reverse and rejects. */
  start(): Promise<void> {
    return this.#core.start();
  }

  /** Stops the children in reverse order, each under its shutdown rule; resolves once all exited. */
  stop(): Promise<void> {
    this.#core.requestStop(SHUTDOWN_EXIT);
    return this.#core.exited.then(() => {});
  }

  /** Kills every child at once and exits with 'killed'. */
  kill(): void {
    this.#core.kill();
  }

  which(): ReadonlyArray<ChildInfo> {
    return this.#slots.map((slot) => slot.info());
  }

  /** Adds a child at the end and starts it; not added if it fails to start. */
  startChild(spec: ChildSpec): Promise<void> {
    let resolved: ResolvedChildSpec;
    try {
      resolved = resolveChildSpec(spec, 'spec');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#core.serialize(async () => {
      this.#core.assertRunning('startChild');
      if (this.#find(resolved.id) !== undefined)
        throw new SupervisorError(
          'ARQ_ERR_DUPLICATE_CHILD',
          `supervisor "${this.name}" already has a child "${resolved.id}"`,
        );
      const slot = new ChildSlot(resolved);
      this.#slots = [...this.#slots, slot];
      try {
        await this.#core.startSlot(slot, 'child_started');
      } catch (error) {
        this.#slots = this.#slots.filter((s) => s !== slot);
        throw error;
      }
    });
  }

  /** Stops a child under its shutdown rule; it keeps its place (unless temporary) and is not restarted. */
  terminateChild(id: string): Promise<void> {
    return this.#core.serialize(async () => {
      this.#core.assertRunning('terminateChild');
      const slot = this.#get(id);
      await this.#core.stopSlot(slot);
      if (slot.spec.restart === 'temporary') this.#slots = this.#slots.filter((s) => s !== slot);
    });
  }

  /** Starts again a child that is not running (terminated, or ended normally as transient). */
  restartChild(id: string): Promise<void> {
    return this.#core.serialize(async () => {
      this.#core.assertRunning('restartChild');
      const slot = this.#get(id);
      if (slot.running)
        throw new SupervisorError('ARQ_ERR_CHILD_RUNNING', `child "${id}" is running`);
      await this.#core.startSlot(slot, 'child_started');
    });
  }

  /** Forgets a child that is not running. */
  deleteChild(id: string): Promise<void> {
    return this.#core.serialize(async () => {
      this.#core.assertRunning('deleteChild');
      const slot = this.#get(id);
      if (slot.running)
        throw new SupervisorError('ARQ_ERR_CHILD_RUNNING', `child "${id}" is running`);
      this.#slots = this.#slots.filter((s) => s !== slot);
    });
  }

  #find(id: string): ChildSlot | undefined {
    return this.#slots.find((slot) => slot.id === id);
  }

  #get(id: string): ChildSlot {
    const slot = this.#find(id);
    if (slot === undefined)
      throw new SupervisorError(
        'ARQ_ERR_CHILD_NOT_FOUND',
        `supervisor "${this.name}" has no child "${id}"`,
      );
    return slot;
  }
}
