import { ROUTE_NAMES, isRouteName } from '../routes/route-names';

/** Closed statuses an operator re-runs: failed, timed out or terminated. */
export const FAILED_STATUSES = ['Failed', 'TimedOut', 'Terminated'] as const;

/** Filters of `cascade failed`, `rerun --failed` and `reset --failed`. */
export interface CascadeFilters {
  /** Only this route (`CascadeRoute`). */
  readonly route?: string;
  /** Only cascades of this entity (`EntityId`, entity-deleted). */
  readonly entity?: string;
  /** Only cascades closed at or after this time. */
  readonly since?: Date;
}

/** Thrown when a filter value is malformed; the message names the option and the expected form. */
export class InvalidFilterError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'InvalidFilterError';
  }
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `24h`, `7d`, `2w`) or
 * an ISO 8601 time. Throws {@link InvalidFilterError}.
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const duration = /^(\d+)\s*([smhdw])$/i.exec(value.trim());
  if (duration) {
    const [, amount = '0', unit = 'h'] = duration;
    return new Date(now.getTime() - Number(amount) * (DURATION_UNITS_MS[unit.toLowerCase()] ?? 0));
  }
  const time = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time)) return new Date(time);
  throw new InvalidFilterError('--since', `"${value}" is neither a duration (e.g. 30m, 24h, 7d) nor an ISO 8601 time`);
}

/** Checks `--route` and `--entity`; throws {@link InvalidFilterError}. */
export function toCascadeFilters(options: { route?: string; entity?: string; since?: string }, now: Date = new Date()): CascadeFilters {
  if (options.route !== undefined && !isRouteName(options.route)) {
    throw new InvalidFilterError('--route', `unknown route "${options.route}"; known routes: ${ROUTE_NAMES.join(', ')}`);
  }
  if (options.entity !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.entity)) {
    throw new InvalidFilterError('--entity', `"${options.entity}" is not an entity ID (a UUID)`);
  }
  return {
    ...(options.route === undefined ? {} : { route: options.route }),
    ...(options.entity === undefined ? {} : { entity: options.entity.toLowerCase() }),
    ...(options.since === undefined ? {} : { since: parseSince(options.since, now) }),
  };
}

/** A visibility-query string literal ('…' with quotes escaped). */
function toLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The visibility query of cascades in `statuses` matching the filters, e.g.
 * `ExecutionStatus IN ('Failed','TimedOut','Terminated') AND CascadeRoute = 'tasks' AND CloseTime >= '…'`.
 * Only Cascade's workflows (those with a `CascadeRoute`) are matched.
 */
export function toVisibilityQuery(filters: CascadeFilters, statuses: readonly string[] = FAILED_STATUSES): string {
  const clauses = [`ExecutionStatus IN (${statuses.map(toLiteral).join(',')})`];
  clauses.push(filters.route === undefined ? 'CascadeRoute IS NOT NULL' : `CascadeRoute = ${toLiteral(filters.route)}`);
  if (filters.entity !== undefined) clauses.push(`EntityId = ${toLiteral(filters.entity)}`);
  if (filters.since !== undefined) clauses.push(`CloseTime >= ${toLiteral(filters.since.toISOString())}`);
  return clauses.join(' AND ');
}
