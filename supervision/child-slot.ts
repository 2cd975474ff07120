import type { Child, ChildType, RestartType } from './child.js';
import type { ResolvedChildSpec } from './resolve-child-spec.js';

/** What which() reports about one supervised child. */
export interface ChildInfo {
  readonly id: string;
  readonly type: ChildType;
  readonly restart: RestartType;
  readonly running: boolean;
}

/**
 * One supervised position: its spec and the instance running in it, if any. Every attached instance
 * gets a new generation, so an exit reported for an older instance is recognised as stale.
 */
export class ChildSlot {
  readonly spec: ResolvedChildSpec;
  #child: Child | undefined;
  #generation = 0;

  constructor(spec: ResolvedChildSpec) {
    this.spec = spec;
  }

  get id(): string {
    return this.spec.id;
  }

  get child(): Child | undefined {
    return this.#child;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Puts a freshly started instance in the slot; returns its generation. */
  attach(child: Child): number {
    this.#child = child;
    this.#generation += 1;
    return this.#generation;
  }

  /** Takes the instance out because it is exiting (or being stopped); returns it, if there was one. */
  detach(): Child | undefined {
    const child = this.#child;
    this.#child = undefined;
    return child;
  }

  info(): ChildInfo {
    return {
      id: this.spec.id,
      type: this.spec.type,
      restart: this.spec.restart,
      running: this.running,
    };
  }
}
