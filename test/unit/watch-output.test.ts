import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createWatchOutput } from '../../src/cli/watch-output';

/** A stream that records what was written, as a terminal (isTTY) or as a pipe. */
function recordingStream(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; written: () => string } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  stream.isTTY = isTTY;
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, written: () => chunks.join('') };
}

describe('watch output (`cascade status --watch`)', () => {
  it('when the output is a terminal, then every refresh moves to the top, clears the screen and redraws the view with its footer', async () => {
    const { stream, written } = recordingStream(true);
    const output = createWatchOutput(stream);
    output.show({ text: 'view at 10:00', key: 'view', footer: 'Ctrl-C to stop' });
    output.show({ text: 'view at 10:05', key: 'view', footer: 'Ctrl-C to stop' });
    await new Promise((resolve) => setImmediate(resolve));
    const redraw = '\u001b[1;1H\u001b[0J';
    assert.equal(written(), `${redraw}view at 10:00\n\nCtrl-C to stop\n${redraw}view at 10:05\n\nCtrl-C to stop\n`);
  });

  it('when the output is not a terminal, then a refresh is written as a plain block only when the view changed, without escape codes or footer', async () => {
    const { stream, written } = recordingStream(false);
    const output = createWatchOutput(stream);
    output.show({ text: 'depth 0 at 10:00', key: 'depth 0', footer: 'Ctrl-C to stop' });
    output.show({ text: 'depth 0 at 10:05', key: 'depth 0', footer: 'Ctrl-C to stop' });
    output.show({ text: 'depth 1 at 10:10', key: 'depth 1', footer: 'Ctrl-C to stop' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written(), 'depth 0 at 10:00\n\ndepth 1 at 10:10\n\n');
  });
});
