import type { LogLevel } from '../config/index.js';

/** Severity order: a line is written when its level is at or above the configured one. */
const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Where the node's log lines go; one call per line, without a newline. */
export type LogSink = (line: string) => void;

/** The default sink: standard error, so that standard output stays the CLI's (URLs, tokens). */
export const STDERR_SINK: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * The node's logger: lines below `log-level` are dropped before they are formatted, the rest go to
 * the sink prefixed with their level (`warn shard 1 restarted; ...`), so that a line is greppable
 * by severity without a logging library for a handful of lines.
 */
export class NodeLog {
  readonly #min: number;
  readonly #sink: LogSink;

  constructor(level: LogLevel, sink: LogSink) {
    this.#min = SEVERITY[level];
    this.#sink = sink;
  }

  enabled(level: LogLevel): boolean {
    return SEVERITY[level] <= this.#min;
  }

  write(level: LogLevel, line: string): void {
    if (this.enabled(level)) this.#sink(`${level} ${line}`);
  }

  error(line: string): void {
    this.write('error', line);
  }

  warn(line: string): void {
    this.write('warn', line);
  }

  info(line: string): void {
    this.write('info', line);
  }

  debug(line: string): void {
    this.write('debug', line);
  }
}
