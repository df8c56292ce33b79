import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * A payload in the JSON form of the remote codec protocol (what the Temporal
 * Web UI and CLI send): metadata values and data in base64.
 */
export interface JsonPayload {
  readonly metadata?: Readonly<Record<string, string>> | null;
  readonly data?: string | null;
}

/** Body and response of `POST /codec/decode` and `POST /codec/encode`. */
export interface JsonPayloads {
  readonly payloads: readonly JsonPayload[];
}

const base64 = z.string({ message: 'must be a base64 string' }).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** Validates a codec request body; issue paths name the payload, e.g. `payloads.2.data`. */
export const jsonPayloadsSchema = z.object(
  {
    payloads: z.array(
      z.object(
        {
          metadata: z.record(z.string(), base64, { message: 'must be an object of base64 strings' }).nullish(),
          data: base64.nullish(),
        },
        { message: 'must be an object {"metadata":{…},"data":"<base64>"}' },
      ),
      { message: 'is required: an array of payloads' },
    ),
  },
  { message: 'body must be a JSON object {"payloads":[…]}' },
);

/** The SDK payload of a JSON payload (base64 decoded). */
export function fromJsonPayload(json: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

/** The JSON payload of an SDK payload (base64 encoded). */
export function toJsonPayload(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
