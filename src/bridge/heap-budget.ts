import { getHeapStatistics } from 'node:v8';

const MIB = 1024 * 1024;

/** Heap a bridge uses besides the messages it holds (modules, SDK clients, metrics): about 40 MiB measured under load, with room to spare. */
const BASE_HEAP_BYTES = 64 * MIB;

/**
 * Worst case per message held: SQS's largest body (1 MiB) twice, as received
 * and as the encoded workflow input. Measured: 100 messages of 1 MB in flight
 * peaked at 65 MB of heap, and a bridge with a 128 MB old space handled 300 of
 * them without failing.
 */
const PER_MESSAGE_HEAP_BYTES = 2 * MIB;

/** Whether a V8 heap limit leaves room for `maxInFlight` messages of the largest size SQS allows. */
export interface HeapBudget {
  readonly maxInFlight: number;
  readonly neededBytes: number;
  readonly limitBytes: number;
  readonly fits: boolean;
}

/**
 * The heap a bridge may need with `maxInFlight` messages held, against the
 * heap limit of this process (`--max-old-space-size` in NODE_OPTIONS: the
 * compose file caps the bridge at 1024 MB so V8 collects before its heap
 * grows to several times what is live).
 */
export function toHeapBudget(maxInFlight: number, limitBytes = getHeapStatistics().heap_size_limit): HeapBudget {
  const neededBytes = BASE_HEAP_BYTES + maxInFlight * PER_MESSAGE_HEAP_BYTES;
  return { maxInFlight, neededBytes, limitBytes, fits: neededBytes <= limitBytes };
}

/** The warning a bridge logs at start when its heap limit may be too small for its messages. */
export function describeHeapShortfall(budget: HeapBudget): string {
  const mb = (bytes: number) => Math.ceil(bytes / MIB);
  return (
    `heap limit ${mb(budget.limitBytes)} MB may be too small: CASCADE_MAX_IN_FLIGHT=${budget.maxInFlight} messages of up to 1 MiB need up to ${mb(budget.neededBytes)} MB; ` +
    `raise --max-old-space-size in NODE_OPTIONS to at least ${mb(budget.neededBytes)} or lower CASCADE_MAX_IN_FLIGHT`
  );
}
