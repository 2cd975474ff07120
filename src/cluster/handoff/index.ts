// src/cluster/handoff: moving a room's state to its new owner between live nodes (hand-off), and
// the claims that order it.
export { HandoffInbox, type HandoffInboxOptions } from './handoff-inbox.js';
export { HandoffOutbox, type HandoffOutboxOptions } from './handoff-outbox.js';
export { CLAIM_PAYLOAD_PART, claimPart, PeerClaims } from './room-claims.js';
export { RoomHandoff, type RoomHandoffOptions } from './room-handoff.js';
