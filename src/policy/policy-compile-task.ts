/**
 * The piscina task that checks and compiles a pushed module (PolicyCompiler). It answers rather
 * than throws: an error crossing the thread loses its class and code, and a refusal is an answer.
 */
import { type CompiledPolicy, type CompileLimits, compilePolicy } from './compile-policy.js';
import { PolicyError } from './policy-error.js';

export interface CompileTask {
  readonly bytes: Uint8Array;
  readonly limits: CompileLimits;
}

export type CompileAnswer =
  | { readonly ok: true; readonly compiled: CompiledPolicy }
  | { readonly ok: false; readonly message: string };

export default async function compileTask(task: CompileTask): Promise<CompileAnswer> {
  try {
    return { ok: true, compiled: await compilePolicy(task.bytes, task.limits) };
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, message: error.message };
    throw error;
  }
}
