import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The full event history of a workflow as the server stores it: no data converter, no codec. */
export async function readRawHistory(client: Pick<Client, 'workflowService'>, namespace: string, workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken !== undefined);
  return { events };
}

/** The wire bytes of a history, to search for anything stored in plaintext. */
export function toHistoryBytes(history: temporal.api.history.v1.IHistory): Buffer {
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/** One payload found in a history, with the field path that holds it. */
export interface FoundPayload {
  readonly path: string;
  readonly payload: Payload;
}

function isPayload(value: object): value is Payload {
  return 'data' in value && 'metadata' in value && (value as Payload).data instanceof Uint8Array;
}

/** Every payload anywhere in `value` (inputs, results, memos, search attributes, failures…). */
export function collectPayloads(value: unknown, path = '', found: FoundPayload[] = []): FoundPayload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (Array.isArray(value)) {
    value.forEach((item, index) => collectPayloads(item, `${path}[${index}]`, found));
    return found;
  }
  if (isPayload(value)) {
    found.push({ path, payload: value });
    return found;
  }
  for (const [key, child] of Object.entries(value)) collectPayloads(child, path === '' ? key : `${path}.${key}`, found);
  return found;
}

/** The UTF-8 text of a metadata entry of a payload ('' when absent). */
export function toMetadataText(payload: Payload, key: string): string {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : '';
}
