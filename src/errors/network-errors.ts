import { type ErrorClassification, type ErrorRule, lookupRule, readStringField, transient } from './error-classification';
import { toErrorMessage } from './error-message';

/**
 * Node socket and DNS error codes (`error.code`), and undici's: every one is
 * a connection that failed or broke, which a later attempt may not meet.
 */
export const NETWORK_ERROR_TABLE: Readonly<Record<string, ErrorRule>> = {
  ECONNREFUSED: transient('NetworkUnavailable'),
  ECONNRESET: transient('NetworkUnavailable'),
  ECONNABORTED: transient('NetworkUnavailable'),
  EPIPE: transient('NetworkUnavailable'),
  ETIMEDOUT: transient('NetworkTimeout'),
  ESOCKETTIMEDOUT: transient('NetworkTimeout'),
  EHOSTUNREACH: transient('NetworkUnavailable'),
  EHOSTDOWN: transient('NetworkUnavailable'),
  ENETUNREACH: transient('NetworkUnavailable'),
  ENETDOWN: transient('NetworkUnavailable'),
  ENETRESET: transient('NetworkUnavailable'),
  EADDRNOTAVAIL: transient('NetworkUnavailable'),
  EAI_AGAIN: transient('NetworkUnavailable'),
  ENOTFOUND: transient('NetworkUnavailable'),
  ERR_SOCKET_CONNECTION_TIMEOUT: transient('NetworkTimeout'),
  UND_ERR_CONNECT_TIMEOUT: transient('NetworkTimeout'),
  UND_ERR_HEADERS_TIMEOUT: transient('NetworkTimeout'),
  UND_ERR_BODY_TIMEOUT: transient('NetworkTimeout'),
  UND_ERR_SOCKET: transient('NetworkUnavailable'),
  UND_ERR_CLOSED: transient('NetworkUnavailable'),
};

/** Classifies a Node network error by its `code` (e.g. `ECONNREFUSED`); `undefined` for anything else. */
export function classifyNetworkError(error: unknown): ErrorClassification | undefined {
  const code = readStringField(error, 'code');
  const rule = lookupRule(NETWORK_ERROR_TABLE, code);
  if (rule === undefined) return undefined;
  return { ...rule, reason: `network error ${code}: ${toErrorMessage(error)}` };
}
