/**
 * The package's face for embedding a node in a Node.js program (`import { ArqonNode } from
 * 'arqonbus'`): resolve a config as `arq start` does, start the node, mint tokens for it. The
 * TypeScript SDK has its own entry, `arqonbus/client`, which browsers can bundle.
 */
export { TokenSigner } from './auth/index.js';
export { ArqonClient } from './client/index.js';
export { ConfigError, type NodeConfig, resolveNodeConfig } from './config/index.js';
export { ArqonNode, type ArqonNodeOptions, NodeError } from './node/index.js';
