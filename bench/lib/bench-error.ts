export type BenchErrorCode =
  | 'ARQ_ERR_BENCH_OPTIONS'
  | 'ARQ_ERR_BENCH_SERVER'
  | 'ARQ_ERR_BENCH_GENERATOR'
  | 'ARQ_ERR_BENCH_CLIENT'
  | 'ARQ_ERR_BENCH_TIMEOUT'
  | 'ARQ_ERR_BENCH_PROC';

export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}
