export { ArqonNode, type ArqonNodeOptions } from './arqon-node.js';
export { NodeError, type NodeErrorCode } from './node-error.js';
export { verifierOptions } from './verifier-options.js';
