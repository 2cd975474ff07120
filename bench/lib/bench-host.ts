/** Every bench server listens here, and every bench client connects here. */
export const BENCH_HOST = '127.0.0.1';
