import type { Child, ChildSpec, ExitReason } from './child.js';
import { SHUTDOWN_EXIT } from './child.js';
import { type ChildInfo, ChildSlot } from './child-slot.js';
import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';
import { type BaseSupervisorOptions, resolveBaseOptions } from './resolve-base-options.js';
import { type ResolvedChildSpec, resolveChildSpec } from './resolve-child-spec.js';
import { type SupervisorChildSpecExtra, supervisorChildSpec } from './supervisor-child-spec.js';
import { SupervisorCore } from './supervisor-core.js';

export const DEFAULT_DYNAMIC_SUPERVISOR_NAME = 'dynamic_supervisor';
export const DEFAULT_MAX_CHILDREN = Number.POSITIVE_INFINITY;

export interface DynamicSupervisorOptions extends BaseSupervisorOptions {
  /** Children held at once (running or being restarted). Default DEFAULT_MAX_CHILDREN (no limit). */
  readonly maxChildren?: number;
}

function resolveMaxChildren(options: DynamicSupervisorOptions): number {
  const maxChildren = options.maxChildren ?? DEFAULT_MAX_CHILDREN;
  const valid =
    maxChildren === Number.POSITIVE_INFINITY || (Number.isInteger(maxChildren) && maxChildren >= 0);
  if (!valid)
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options.maxChildren must be a non-negative integer or Infinity, got ${describeValue(maxChildren)}`,
    );
  return maxChildren;
}

/**
 * A one_for_one supervisor of children added at run time (rooms). A child that ends for good
 * (temporary, or transient exiting normally) is forgotten, so its id can be used again. Stops its
 * children in reverse order of their start.
 */
export class DynamicSupervisor implements Child {
  readonly #core: SupervisorCore;
  readonly #maxChildren: number;
  /** Insertion order is start order; a restarted child keeps its place. */
  readonly #slots = new Map<string, ChildSlot>();

  /** A ChildSpec (type 'supervisor', shutdown 'infinity' by default) that creates and starts one. */
  static childSpec(
    id: string,
    options: DynamicSupervisorOptions = {},
    extra: SupervisorChildSpecExtra = {},
  ): ChildSpec {
    resolveBaseOptions(options, DEFAULT_DYNAMIC_SUPERVISOR_NAME);
    resolveMaxChildren(options);
    return supervisorChildSpec(id, extra, async () => {
      const supervisor = new DynamicSupervisor(options);
      await supervisor.start();
      return supervisor;
    });
  }

  constructor(options: DynamicSupervisorOptions = {}) {
    const base = resolveBaseOptions(options, DEFAULT_DYNAMIC_SUPERVISOR_NAME);
    this.#maxChildren = resolveMaxChildren(options);
    this.#core = new SupervisorCore({
      name: base.name,
      intensity: base.intensity,
      onEvent: base.onEvent,
      slots: () => [...this.#slots.values()],
      owns: (slot) => this.#slots.get(slot.id) === slot,
      remove: (slot) => {
        if (this.#slots.get(slot.id) === slot) this.#slots.delete(slot.id);
      },
      affected: (dead) => [dead],
      keepsEndedChildren: false,
    });
  }

  get name(): string {
    return this.#core.name;
  }

  get maxChildren(): number {
    return this.#maxChildren;
  }

  /** Settles (never rejects) once the supervisor and all its children have exited. */
  get exited(): Promise<ExitReason> {
    return this.#core.exited;
  }

  /** Makes the supervisor ready to take children (it starts with none). */
  start(): Promise<void> {
    return this.#core.start();
  }

  /** Stops the children in reverse order of their start; resolves once all exited. */
  stop(): Promise<void> {
    this.#core.requestStop(SHUTDOWN_EXIT);
    return this.#core.exited.then(() => {});
  }

  /** Kills every child at once and exits with 'killed'. */
  kill(): void {
    this.#core.kill();
  }

  /** Starts a new child; rejects past maxChildren, for an id already held, or if it fails to start. */
  startChild(spec: ChildSpec): Promise<void> {
    let resolved: ResolvedChildSpec;
    try {
      resolved = resolveChildSpec(spec, 'spec');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#core.serialize(async () => {
      this.#core.assertRunning('startChild');
      if (this.#slots.has(resolved.id))
        throw new SupervisorError(
          'ARQ_ERR_DUPLICATE_CHILD',
          `supervisor "${this.name}" already has a child "${resolved.id}"`,
        );
      if (this.#slots.size >= this.#maxChildren)
        throw new SupervisorError(
          'ARQ_ERR_MAX_CHILDREN',
          `supervisor "${this.name}" already holds its maximum of ${this.#maxChildren} children`,
        );
      const slot = new ChildSlot(resolved);
      this.#slots.set(resolved.id, slot);
      try {
        await this.#core.startSlot(slot, 'child_started');
      } catch (error) {
        this.#slots.delete(resolved.id);
        throw error;
      }
    });
  }

  /** Stops a child under its shutdown rule and forgets it; false if there was no such child. */
  terminateChild(id: string): Promise<boolean> {
    return this.#core.serialize(async () => {
      this.#core.assertRunning('terminateChild');
      const slot = this.#slots.get(id);
      if (slot === undefined) return false;
      await this.#core.stopSlot(slot);
      this.#slots.delete(id);
      return true;
    });
  }

  /** Children held (running, or between an exit and its restart). */
  count(): number {
    return this.#slots.size;
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  which(): ReadonlyArray<ChildInfo> {
    return [...this.#slots.values()].map((slot) => slot.info());
  }
}
