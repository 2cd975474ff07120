import type { HookName } from './hook-name.js';
import type { PolicyFailure } from './policy-failure.js';

/** A policy as a runner thread holds it. */
export interface RunnerPolicy {
  /** `tenant-or-*` / name @ version: unique per version. */
  readonly id: string;
  readonly name: string;
  readonly tenant: string | null;
  readonly version: number;
  readonly hooks: readonly HookName[];
  readonly timeoutMs: number;
  readonly config: Readonly<Record<string, string>>;
  readonly module: WebAssembly.Module;
}

/**
 * One hook evaluation: the input is `prefix` + (for on_publish) `,"data":<data>,"headers":<h>`
 * + `}`, built per policy in the runner so that a rewrite by one policy is the next one's input.
 */
export interface Evaluation {
  readonly hook: HookName;
  readonly tenant: string;
  /** The input's other members, as JSON text without the closing brace: `{"tenant":..,"sub":..`. */
  readonly prefix: string;
  /** on_publish: the message's data as JSON text (a base64 string for bytes). */
  readonly data: string | null;
  /** on_publish: true when `data` is a base64 string of bytes that are not JSON. */
  readonly base64: boolean;
  readonly headers: Readonly<Record<string, string>> | null;
}

/** What the chain of policies decided for one evaluation. */
export interface PolicyOutcome {
  readonly allow: boolean;
  readonly reason: string;
  readonly disconnect: boolean;
  /** The policy that denied (by its verdict or by failing); null when allowed. */
  readonly deniedBy: {
    readonly name: string;
    readonly version: number;
    readonly tenant: string | null;
  } | null;
  /** The rewritten data as JSON text; null when no policy rewrote it. */
  readonly data: string | null;
  /** The rewritten headers; null when no policy rewrote them. */
  readonly headers: Readonly<Record<string, string>> | null;
  readonly failures: readonly PolicyFailure[];
}

export type RunnerRequest =
  | { readonly type: 'install'; readonly seq: number; readonly policies: readonly RunnerPolicy[] }
  | {
      readonly type: 'evaluate';
      readonly batch: number;
      readonly evaluations: readonly Evaluation[];
    };

export type RunnerReply =
  | { readonly type: 'installed'; readonly seq: number }
  | {
      readonly type: 'evaluated';
      readonly batch: number;
      readonly outcomes: readonly PolicyOutcome[];
    };

export interface RunnerWorkerData {
  readonly type: 'arqon:policy-runner';
  /** Int32 slots the runner writes before each hook call (see RUNNER_STATE_*). */
  readonly state: SharedArrayBuffer;
  /** Date.now() of the owner when it made the runner: the base of RUNNER_STATE_STARTED. */
  readonly epochMs: number;
  readonly maxMemoryPages: number;
  readonly hostBytesPerCall: number;
  readonly maxOutputBytes: number;
}

/** Incremented before each hook call: the owner tells a call that is still running from the next. */
export const RUNNER_STATE_CALLS = 0;
/** ms since `epochMs` when the current call started. */
export const RUNNER_STATE_STARTED = 1;
/** The budget of the current call (its policy's timeout_ms). */
export const RUNNER_STATE_TIMEOUT = 2;
/** Index in the current request of the (first) evaluation being run. */
export const RUNNER_STATE_EVALUATION = 3;
/** Install seq and index in it of the policy being called. */
export const RUNNER_STATE_SET = 4;
export const RUNNER_STATE_POLICY = 5;
/** 1 while a hook call runs, 0 between calls. */
export const RUNNER_STATE_BUSY = 6;
/**
 * How many evaluations the current call is for (more than 1: an on_publish_batch call); their
 * indices in the request are in the slots from RUNNER_STATE_SLOTS on.
 */
export const RUNNER_STATE_CALL_COUNT = 7;
export const RUNNER_STATE_SLOTS = 8;
