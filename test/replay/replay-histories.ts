import fs from 'node:fs';
import path from 'node:path';
import { type History, parseHistoryJson } from '../../src/ops/history-json';

/** Where the committed histories live (`test/replay/histories/<workflowType>/*.json`), seen from dist/test/replay. */
export const HISTORIES_DIR = path.join(__dirname, '..', '..', '..', 'test', 'replay', 'histories');

/** One recorded history, as the replayer takes it. */
export interface RecordedHistoryFile {
  readonly workflowType: string;
  readonly workflowId: string;
  readonly file: string;
  readonly history: History;
}

/** Every history under `dir`, read from the JSON `cascade history record` writes. */
export function readRecordedHistories(dir = HISTORIES_DIR): RecordedHistoryFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((typeDir) =>
      fs
        .readdirSync(path.join(dir, typeDir.name))
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name): RecordedHistoryFile => {
          const file = path.join(dir, typeDir.name, name);
          const history = parseHistoryJson(fs.readFileSync(file, 'utf8'), file);
          const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
          if (started?.workflowType?.name !== typeDir.name) throw new Error(`${file} is not a history of ${typeDir.name}`);
          return { workflowType: typeDir.name, workflowId: name.replace(/\.[^.]+\.json$/, ''), file, history };
        }),
    );
}
