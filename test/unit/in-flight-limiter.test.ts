import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InFlightLimiter } from '../../src/bridge/in-flight-limiter';

describe('in-flight limiter', () => {
  it('when other reservations take every free slot while one lingers, then it waits for a release instead of returning 0 (which stopped its poller for good)', async () => {
    const limiter = new InFlightLimiter(10);
    const abort = new AbortController();
    assert.equal(await limiter.reserve(5, abort.signal), 5);
    let lingering: number | undefined;
    const pending = limiter.reserve(10, abort.signal, 50).then((taken) => (lingering = taken));
    assert.equal(await limiter.reserve(5, abort.signal), 5, 'another poller takes the last free slots');
    await sleep(120);
    assert.equal(lingering, undefined, 'past its linger, with nothing free, it still waits');
    limiter.release(3);
    assert.equal(await pending, 3);
    assert.equal(limiter.size, 10);
  });

  it('when the signal aborts while it waits, then it resolves 0', async () => {
    const limiter = new InFlightLimiter(1);
    const abort = new AbortController();
    assert.equal(await limiter.reserve(1, abort.signal), 1);
    const pending = limiter.reserve(1, abort.signal, 10);
    abort.abort();
    assert.equal(await pending, 0);
  });

  it('when enough slots are free, then it takes what it wants at once', async () => {
    const limiter = new InFlightLimiter(100);
    assert.equal(await limiter.reserve(10, new AbortController().signal, 20), 10);
    assert.equal(limiter.size, 10);
  });
});
