import { type ErrorClassification, type ErrorRule, lookupRule, permanent, readStringField, transient } from './error-classification';
import { toErrorMessage } from './error-message';
import { isRecord } from '../shared/parse-helpers';

/**
 * PostgreSQL SQLSTATE codes that differ from their class (see
 * https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
export const POSTGRES_SQLSTATE_TABLE: Readonly<Record<string, ErrorRule>> = {
  '40001': transient('DatabaseSerializationFailure'),
  '40P01': transient('DatabaseDeadlock'),
  '55P03': transient('DatabaseLockTimeout'),
  '57014': transient('DatabaseTimeout'),
  '57P01': transient('DatabaseUnavailable'),
  '57P02': transient('DatabaseUnavailable'),
  '57P03': transient('DatabaseUnavailable'),
  '57P05': transient('DatabaseUnavailable'),
  '25P03': transient('DatabaseTimeout'),
  '53300': transient('DatabaseTooManyConnections'),
  '3D000': permanent('DatabaseMissing'),
  '42501': permanent('DatabaseAccessDenied'),
  '42P01': permanent('DatabaseSchemaMismatch'),
  '42703': permanent('DatabaseSchemaMismatch'),
  '42883': permanent('DatabaseSchemaMismatch'),
};

/** PostgreSQL SQLSTATE classes (the first two characters), for codes not in {@link POSTGRES_SQLSTATE_TABLE}. */
export const POSTGRES_SQLSTATE_CLASS_TABLE: Readonly<Record<string, ErrorRule>> = {
  '08': transient('DatabaseUnavailable'),
  '40': transient('DatabaseTransactionRollback'),
  '53': transient('DatabaseResourcesExhausted'),
  '57': transient('DatabaseUnavailable'),
  '58': transient('DatabaseUnavailable'),
  '0A': permanent('DatabaseUnsupported'),
  '21': permanent('DatabaseInvalidData'),
  '22': permanent('DatabaseInvalidData'),
  '23': permanent('DatabaseConstraintViolation'),
  '28': permanent('DatabaseAccessDenied'),
  '42': permanent('DatabaseInvalidStatement'),
  '44': permanent('DatabaseConstraintViolation'),
};

/**
 * Prisma error codes (`PrismaClientKnownRequestError.code`,
 * `PrismaClientInitializationError.errorCode`; see
 * https://www.prisma.io/docs/orm/reference/error-reference).
 */
export const PRISMA_ERROR_TABLE: Readonly<Record<string, ErrorRule>> = {
  P1001: transient('DatabaseUnavailable'),
  P1018: transient('DatabaseTransactionRollback'),
  P1002: transient('DatabaseTimeout'),
  P1008: transient('DatabaseTimeout'),
  P1017: transient('DatabaseUnavailable'),
  P2024: transient('DatabaseTimeout'),
  P2028: transient('DatabaseTransactionRollback'),
  P2034: transient('DatabaseSerializationFailure'),
  P2037: transient('DatabaseTooManyConnections'),
  P1000: permanent('DatabaseAccessDenied'),
  P1003: permanent('DatabaseMissing'),
  P1009: permanent('DatabaseInvalidStatement'),
  P1011: permanent('DatabaseAccessDenied'),
  P1010: permanent('DatabaseAccessDenied'),
  P1012: permanent('DatabaseInvalidStatement'),
  P2000: permanent('DatabaseInvalidData'),
  P2002: permanent('DatabaseConstraintViolation'),
  P2003: permanent('DatabaseConstraintViolation'),
  P2004: permanent('DatabaseConstraintViolation'),
  P2005: permanent('DatabaseInvalidData'),
  P2006: permanent('DatabaseInvalidData'),
  P2007: permanent('DatabaseInvalidData'),
  P2009: permanent('DatabaseInvalidStatement'),
  P2011: permanent('DatabaseConstraintViolation'),
  P2012: permanent('DatabaseInvalidData'),
  P2013: permanent('DatabaseInvalidData'),
  P2014: permanent('DatabaseConstraintViolation'),
  P2019: permanent('DatabaseInvalidData'),
  P2020: permanent('DatabaseInvalidData'),
  P2021: permanent('DatabaseSchemaMismatch'),
  P2022: permanent('DatabaseSchemaMismatch'),
  P2023: permanent('DatabaseInvalidData'),
  P2025: permanent('DatabaseRecordMissing'),
};

/**
 * Error kinds of Prisma's driver adapters (`DriverAdapterError.cause.kind`,
 * as @prisma/adapter-pg maps node-postgres errors); kind `postgres` carries
 * its SQLSTATE in `code` and is classified by the SQLSTATE tables.
 */
export const DRIVER_ADAPTER_KIND_TABLE: Readonly<Record<string, ErrorRule>> = {
  DatabaseNotReachable: transient('DatabaseUnavailable'),
  ConnectionClosed: transient('DatabaseUnavailable'),
  SocketTimeout: transient('DatabaseTimeout'),
  TooManyConnections: transient('DatabaseTooManyConnections'),
  TransactionWriteConflict: transient('DatabaseSerializationFailure'),
  TransactionAlreadyClosed: transient('DatabaseTransactionRollback'),
  UniqueConstraintViolation: permanent('DatabaseConstraintViolation'),
  NullConstraintViolation: permanent('DatabaseConstraintViolation'),
  ForeignKeyConstraintViolation: permanent('DatabaseConstraintViolation'),
  RestrictViolation: permanent('DatabaseConstraintViolation'),
  DatabaseAlreadyExists: permanent('DatabaseInvalidStatement'),
  UnsupportedNativeDataType: permanent('DatabaseInvalidData'),
  InvalidIsolationLevel: permanent('DatabaseInvalidStatement'),
  ValueOutOfRange: permanent('DatabaseInvalidData'),
  InconsistentColumnData: permanent('DatabaseInvalidData'),
  LengthMismatch: permanent('DatabaseInvalidData'),
  InvalidInputValue: permanent('DatabaseInvalidData'),
  DatabaseDoesNotExist: permanent('DatabaseMissing'),
  DatabaseAccessDenied: permanent('DatabaseAccessDenied'),
  AuthenticationFailed: permanent('DatabaseAccessDenied'),
  TableDoesNotExist: permanent('DatabaseSchemaMismatch'),
  ColumnNotFound: permanent('DatabaseSchemaMismatch'),
  TlsConnectionError: permanent('DatabaseAccessDenied'),
};

const SQLSTATE = /^[0-9A-Z]{5}$/;
const PRISMA_CODE = /^P\d{4}$/;

/** The rule of a SQLSTATE: its own row, else its class's row. */
export function toSqlStateRule(sqlState: string): ErrorRule | undefined {
  return lookupRule(POSTGRES_SQLSTATE_TABLE, sqlState) ?? lookupRule(POSTGRES_SQLSTATE_CLASS_TABLE, sqlState.slice(0, 2));
}

/**
 * Classifies one error object of PostgreSQL or Prisma: a node-postgres
 * `DatabaseError` (SQLSTATE in `code`, with `severity`); a Prisma error
 * (`code` or `errorCode` `P1001`…), whose `meta.driverAdapterError` (set by
 * Prisma 7 for errors of @prisma/adapter-pg) tells the SQLSTATE behind it; a
 * `DriverAdapterError` or its description (`kind`, `originalCode`). The
 * SQLSTATE decides first, then the adapter's kind, then the Prisma code.
 * `undefined` for anything else (the caller walks the `cause` chain).
 */
export function classifyPostgresError(error: unknown): ErrorClassification | undefined {
  const adapterError = toDriverAdapterDescription(error);
  const kind = readStringField(adapterError, 'kind');
  const sqlState = [readStringField(adapterError, 'originalCode'), kind === 'postgres' ? readStringField(adapterError, 'code') : undefined, readSqlStateOfPgError(error)].find(
    (code) => code !== undefined && SQLSTATE.test(code),
  );
  const prismaCode = [readStringField(error, 'code'), readStringField(error, 'errorCode')].find((code) => code !== undefined && PRISMA_CODE.test(code));
  const rule =
    (sqlState === undefined ? undefined : toSqlStateRule(sqlState)) ?? lookupRule(DRIVER_ADAPTER_KIND_TABLE, kind) ?? lookupRule(PRISMA_ERROR_TABLE, prismaCode);
  if (rule !== undefined) {
    const codes = [prismaCode === undefined ? undefined : `Prisma ${prismaCode}`, sqlState === undefined ? undefined : `SQLSTATE ${sqlState}`, kind === undefined || kind === 'postgres' ? undefined : kind];
    return { ...rule, reason: `database error (${codes.filter((c) => c !== undefined).join(', ')}): ${toErrorMessage(error)}` };
  }
  if (error instanceof Error && error.name === 'PrismaClientValidationError') {
    return { retryable: false, type: 'DatabaseInvalidQuery', reason: `invalid database query: ${toErrorMessage(error)}` };
  }
  return undefined;
}

/** The driver-adapter error description in `error`: its own (`kind`), a `DriverAdapterError`'s `cause`, or a Prisma error's `meta.driverAdapterError.cause`. */
function toDriverAdapterDescription(error: unknown): unknown {
  if (readStringField(error, 'kind') !== undefined) return error;
  if (error instanceof Error && error.name === 'DriverAdapterError') return error.cause;
  const meta = isRecord(error) ? error['meta'] : undefined;
  const wrapped = isRecord(meta) ? meta['driverAdapterError'] : undefined;
  return wrapped instanceof Error ? wrapped.cause : undefined;
}

/** The SQLSTATE of a node-postgres `DatabaseError` (it has `severity` besides `code`). */
function readSqlStateOfPgError(error: unknown): string | undefined {
  return readStringField(error, 'severity') === undefined ? undefined : readStringField(error, 'code');
}
