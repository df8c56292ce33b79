import { clearScreenDown, cursorTo } from 'node:readline';

/** Where a watching command writes: a terminal gets the view redrawn in place, anything else a log of changes. */
export type WatchStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** One refresh of a watched view. */
export interface WatchFrame {
  /** The whole view as shown. */
  readonly text: string;
  /** What decides whether the view changed: the view without what changes on every refresh (e.g. its time). */
  readonly key: string;
  /** Shown under the view in a terminal only (e.g. how often it refreshes and how to stop). */
  readonly footer?: string;
}

/** Shows successive refreshes of a view, like `kubectl get -w`. */
export interface WatchOutput {
  show(frame: WatchFrame): void;
}

/**
 * On a terminal every refresh redraws the view in place; otherwise (a pipe, a
 * file, a log collector) a refresh is written only when the view changed, each
 * as its own block, so the output reads as a log of changes.
 */
export function createWatchOutput(stream: WatchStream): WatchOutput {
  let lastKey: string | undefined;
  return {
    show(frame) {
      if (stream.isTTY === true) {
        cursorTo(stream, 0, 0);
        clearScreenDown(stream);
        stream.write(`${frame.text}\n${frame.footer === undefined ? '' : `\n${frame.footer}\n`}`);
        return;
      }
      if (frame.key === lastKey) return;
      lastKey = frame.key;
      stream.write(`${frame.text}\n\n`);
    },
  };
}
