export * from './connection/index.js';
export * from './presence/index.js';
export * from './room/index.js';
export * from './runtime/index.js';
