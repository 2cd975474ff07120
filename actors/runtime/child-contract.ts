// The supervision child contract, used by the runtime for exit reasons and by actorChild.
export type { Child, ChildSpec, ExitReason } from '../../supervision/index.js';
