export type NodeErrorCode = 'ARQ_ERR_NODE_CONFIG' | 'ARQ_ERR_NODE_STATE';

export class NodeError extends Error {
  readonly code: NodeErrorCode;
  constructor(code: NodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeError';
    this.code = code;
  }
}
