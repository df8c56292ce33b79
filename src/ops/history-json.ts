import { createRequire } from 'node:module';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { toErrorMessage } from '../errors/error-message';

/** A workflow history, as the Temporal API and `Worker.runReplayHistory` take it. */
export type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

/** A protobufjs reflection root with `lookupType`. */
interface ReflectionRoot {
  lookupType(name: string): unknown;
}

/*
 * Proto3 JSON through the protobufjs copy that @temporalio/proto itself loads. The SDK's own
 * `historyToJSON`/`historyFromJSON` (@temporalio/common/lib/proto-utils, also used by
 * `Worker.runReplayHistory` for JSON input) fail with "type must be a Type" when npm installs
 * @temporalio/common and @temporalio/proto with separate protobufjs copies, as it does here.
 */
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as ReflectionRoot).lookupType('temporal.api.history.v1.History');

/** A history as proto3 JSON text: the format `temporal workflow show --output json` writes and the SDK's `historyFromJSON` reads. */
export function toHistoryJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Thrown when a file is not a history in proto3 JSON. */
export class InvalidHistoryJsonError extends Error {
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source} is not a workflow history in proto3 JSON: ${detail}`, options);
    this.name = 'InvalidHistoryJsonError';
  }
}

/** Parses proto3 JSON history text (from {@link toHistoryJson} or the Temporal CLI) into a History for the replayer. */
export function parseHistoryJson(text: string, source = 'history'): History {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidHistoryJsonError(source, 'not JSON', { cause: error });
  }
  if (json === null || typeof json !== 'object' || !Array.isArray((json as { events?: unknown }).events)) throw new InvalidHistoryJsonError(source, 'no "events" array');
  try {
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  } catch (error) {
    throw new InvalidHistoryJsonError(source, toErrorMessage(error), { cause: error });
  }
}
