import { BenchError } from '../lib/index.js';
import type { RoomPlan } from './fanout-messages.js';

/** A fan-out workload: `rooms` rooms of `members` each, `rate` publishes/s offered in all. */
export interface FanoutShape {
  readonly name: string;
  readonly rooms: number;
  readonly members: number;
  readonly rate: number;
  /** Target: ArqonBus's total CPU per delivery at most this many times bare uWS's, same round. */
  readonly cpuTargetVsUws: number;
}

/** One room of 1000 members, 50 publishes/s: 50k deliveries/s, each publish a 1000-way fan-out. */
export const LARGE_ROOM_SHAPE: FanoutShape = {
  name: 'large',
  rooms: 1,
  members: 1000,
  rate: 50,
  cpuTargetVsUws: 1.3,
};
/** 100 rooms of 10 members, 5000 publishes/s in all: the same 50k deliveries/s in small fan-outs. */
export const SMALL_ROOMS_SHAPE: FanoutShape = {
  name: 'small',
  rooms: 100,
  members: 10,
  rate: 5000,
  cpuTargetVsUws: 1.3,
};
/**
 * The small rooms at a tenth of the rate: on a 2-core machine the generators need about a core at
 * 50k deliveries/s, so the full-rate shapes measure latency on a CPU-bound machine; this one shows
 * the latency of the path itself.
 */
export const LIGHT_SMALL_ROOMS_SHAPE: FanoutShape = {
  name: 'light',
  rooms: 100,
  members: 10,
  rate: 500,
  cpuTargetVsUws: 1.5,
};
/** One room of 10 members and one publisher at 5000 publishes/s: a game room, a trading feed. */
export const HOT_ROOM_SHAPE: FanoutShape = {
  name: 'hot',
  rooms: 1,
  members: 10,
  rate: 5000,
  cpuTargetVsUws: 1.5,
};
export const FANOUT_SHAPES: readonly FanoutShape[] = [
  LARGE_ROOM_SHAPE,
  SMALL_ROOMS_SHAPE,
  LIGHT_SMALL_ROOMS_SHAPE,
  HOT_ROOM_SHAPE,
];

export function describeShape(shape: FanoutShape): string {
  return shape.rooms === 1
    ? `1 room x ${shape.members}`
    : `${shape.rooms} rooms x ${shape.members}`;
}

export interface GeneratorPlan {
  readonly rooms: readonly RoomPlan[];
  /** Publishes/s this generator offers (its share of the shape's rate). */
  readonly rate: number;
}

/**
 * Splits a shape over `generators` processes. With at least as many rooms as generators each room
 * lives whole in one generator; a room larger than that (the large shape) is split member-wise and
 * only its first slice publishes.
 */
export function planShape(shape: FanoutShape, generators: number): GeneratorPlan[] {
  if (!Number.isInteger(generators) || generators < 1)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `generators must be a positive integer, got ${generators}`,
    );
  const perRoomRate = shape.rate / shape.rooms;
  const plans = Array.from({ length: generators }, () => ({ rooms: [] as RoomPlan[], rate: 0 }));
  for (let r = 0; r < shape.rooms; r++) {
    const room = `${shape.name}-${r}`;
    const firstSub = r * shape.members;
    if (shape.rooms >= generators) {
      const plan = plans[r % generators]!;
      plan.rooms.push({ room, members: shape.members, firstSub, publishes: true });
      plan.rate += perRoomRate;
      continue;
    }
    let offset = 0;
    for (let g = 0; g < generators; g++) {
      const members =
        Math.floor(shape.members / generators) + (g < shape.members % generators ? 1 : 0);
      if (members === 0) continue;
      plans[g]!.rooms.push({ room, members, firstSub: firstSub + offset, publishes: g === 0 });
      if (g === 0) plans[g]!.rate += perRoomRate;
      offset += members;
    }
  }
  return plans;
}
