import assert from 'node:assert/strict';
import { resolveDevEventsToken, toDevEventsCurlLine } from '../../src/cli/dev-events-token';

const HTTP_URL = 'http://127.0.0.1:18080';

describe('cascade dev: the GET /events token', () => {
  it('when the operator set CASCADE_EVENTS_API_TOKEN, then it is used and the printed line names the variable, never the token', () => {
    const operatorToken = 'operators-own-secret-token-1234';
    const events = resolveDevEventsToken(operatorToken, () => assert.fail('no token is made up when one is set'));
    assert.deepEqual(events, { token: operatorToken, madeUp: false });
    const line = toDevEventsCurlLine(events, HTTP_URL);
    assert.ok(!line.includes(operatorToken), `the operator's token is not echoed: ${line}`);
    assert.match(line, /Authorization: Bearer \$CASCADE_EVENTS_API_TOKEN'/);
    assert.ok(line.includes(`${HTTP_URL}/events?pk=SESSION%23<session_id>`));
  });

  it('when no token is set (unset or empty), then one is made up for this run and printed so it can be used', () => {
    for (const configured of [undefined, '']) {
      const events = resolveDevEventsToken(configured, () => 'made-up-for-this-run-5678');
      assert.deepEqual(events, { token: 'made-up-for-this-run-5678', madeUp: true });
      assert.match(toDevEventsCurlLine(events, HTTP_URL), /Authorization: Bearer made-up-for-this-run-5678'/);
    }
  });

  it('when a token is made up by default, then it is random and long enough for GET /events (≥ 16 characters)', () => {
    const [a, b] = [resolveDevEventsToken(undefined), resolveDevEventsToken(undefined)];
    assert.ok(a.token.length >= 16, a.token);
    assert.notEqual(a.token, b.token);
  });
});
