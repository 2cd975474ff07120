import { ActorError } from './errors.js';

/** Registered names of one actor system: at most one owner per name and one name per owner. */
export class NameRegistry<T> {
  readonly #byName = new Map<string, T>();
  readonly #byOwner = new Map<T, string>();

  lookup(name: string): T | undefined {
    return this.#byName.get(name);
  }

  assertFree(name: string): void {
    if (this.#byName.has(name)) {
      throw new ActorError(
        'ARQ_ERR_NAME_TAKEN',
        `name ${JSON.stringify(name)} is already registered`,
      );
    }
  }

  /** `label` names the owner in the error when it already has a name. */
  register(name: string, owner: T, label: string): void {
    this.assertFree(name);
    const current = this.#byOwner.get(owner);
    if (current !== undefined) {
      throw new ActorError(
        'ARQ_ERR_ALREADY_NAMED',
        `actor ${label} is already registered as ${JSON.stringify(current)}`,
      );
    }
    this.#byName.set(name, owner);
    this.#byOwner.set(owner, name);
  }

  unregister(name: string): boolean {
    const owner = this.#byName.get(name);
    if (owner === undefined) return false;
    this.#byName.delete(name);
    this.#byOwner.delete(owner);
    return true;
  }

  /** Frees the owner's name, if it has one (when the owner dies). */
  release(owner: T): void {
    const name = this.#byOwner.get(owner);
    if (name !== undefined) this.unregister(name);
  }
}
