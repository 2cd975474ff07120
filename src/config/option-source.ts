/** Where a resolved option's value came from, in the order they are tried. */
export type OptionSource =
  | { readonly kind: 'flag' }
  | { readonly kind: 'environment'; readonly variable: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'default' };

/**
 * What a user reads to find the value: `from flag --port`, `from environment ARQ_PORT`,
 * `from config file arq.yaml, key port`, or `default`.
 */
export function describeSource(option: string, source: OptionSource): string {
  switch (source.kind) {
    case 'flag':
      return `from flag --${option}`;
    case 'environment':
      return `from environment ${source.variable}`;
    case 'file':
      return `from config file ${source.path}, key ${option}`;
    case 'default':
      return 'default';
  }
}
