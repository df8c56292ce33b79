import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DMMF } from '@prisma/client/runtime/client';
import type { Client } from 'pg';
import { migrateDatabase } from '../../src/db/migrate';
import { createCapturingLogger, createTestDatabase, projectRoot, withClient, type TestDatabase } from './test-database';

// The schema's view comes from Prisma itself (`getDMMF`, the parser the CLI
// uses); the database's view from pg_catalog after applying every migration.
// A difference means a migration is missing or differs from schema.prisma.

type GetDmmf = (options: { datamodel: string }) => DMMF.Document | { type: string; reason: string; error: Error };

/**
 * Loads `getDMMF` from the `@prisma/get-dmmf` devDependency. Loaded by name at
 * run time so the rest of the project compiles without it; missing, it fails
 * this test (never skips it).
 */
async function loadGetDmmf(): Promise<GetDmmf> {
  const specifier = '@prisma/get-dmmf';
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (error) {
    throw new Error(`The schema drift test needs the devDependency ${specifier} (same version as prisma): npm i -D ${specifier}@7.10.0`, {
      cause: error,
    });
  }
  const getDMMF = (loaded as { getDMMF?: unknown }).getDMMF;
  if (typeof getDMMF !== 'function') throw new Error(`${specifier} does not export getDMMF()`);
  return getDMMF as GetDmmf;
}

async function readDatamodel(): Promise<DMMF.Datamodel> {
  const getDMMF = await loadGetDmmf();
  const schema = readFileSync(path.join(projectRoot(), 'prisma', 'schema.prisma'), 'utf8');
  const result = getDMMF({ datamodel: schema });
  if (!('datamodel' in result)) throw new Error(`getDMMF failed (${result.type}): ${result.reason}`, { cause: result.error });
  return result.datamodel;
}

/** PostgreSQL's identifier limit, which Prisma's default constraint names respect. */
const MAX_IDENTIFIER_LENGTH = 63;

/** Prisma's default name for a primary key (`_pkey`), unique (`_key`), index (`_idx`) or foreign key (`_fkey`). */
function defaultConstraintName(table: string, columns: readonly string[], suffix: '_pkey' | '_key' | '_idx' | '_fkey'): string {
  const base = suffix === '_pkey' ? table : `${table}_${columns.join('_')}`;
  return base.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length) + suffix;
}

/** `format_type()` spelling of Prisma's default PostgreSQL type per scalar. */
const DEFAULT_TYPES: Readonly<Record<string, string>> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** `format_type()` spelling of `@db.*` native types. */
function nativeTypeName(name: string, args: readonly string[]): string {
  const precision = args.length > 0 ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Text': return 'text';
    case 'VarChar': return `character varying${precision}`;
    case 'Char': return `character${precision}`;
    case 'Uuid': return 'uuid';
    case 'SmallInt': return 'smallint';
    case 'Integer': return 'integer';
    case 'BigInt': return 'bigint';
    case 'Real': return 'real';
    case 'DoublePrecision': return 'double precision';
    case 'Decimal': return `numeric${precision}`;
    case 'Money': return 'money';
    case 'Boolean': return 'boolean';
    case 'Timestamp': return `timestamp${precision} without time zone`;
    case 'Timestamptz': return `timestamp${precision} with time zone`;
    case 'Time': return `time${precision} without time zone`;
    case 'Timetz': return `time${precision} with time zone`;
    case 'Date': return 'date';
    case 'Json': return 'json';
    case 'JsonB': return 'jsonb';
    case 'ByteA': return 'bytea';
    case 'Xml': return 'xml';
    case 'Inet': return 'inet';
    case 'Citext': return 'citext';
    case 'Oid': return 'oid';
    case 'Bit': return `bit${precision}`;
    case 'VarBit': return `bit varying${precision}`;
    default:
      throw new Error(`schema drift test: teach nativeTypeName() the format_type() spelling of @db.${name}`);
  }
}

function quoteIfNeeded(identifier: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`;
}

interface ExpectedColumn {
  type: string;
  notNull: boolean;
  /** What the column's DEFAULT must be, normalised (see {@link normaliseDefault}). */
  default: string | null;
}

function expectedType(field: DMMF.Field, enums: readonly DMMF.DatamodelEnum[]): string {
  let type: string;
  if (field.kind === 'enum') {
    const enumDef = enums.find((candidate) => candidate.name === field.type);
    type = quoteIfNeeded(enumDef?.dbName ?? field.type);
  } else if (field.nativeType) {
    type = nativeTypeName(field.nativeType[0], field.nativeType[1]);
  } else {
    const mapped = DEFAULT_TYPES[field.type];
    if (mapped === undefined) throw new Error(`schema drift test: no PostgreSQL type known for Prisma type ${field.type}`);
    type = mapped;
  }
  return field.isList ? `${type}[]` : type;
}

/**
 * Normalised DEFAULT a field must produce: `<sequence>` for autoincrement(),
 * `<now>` for now(), the literal's text for scalars, the expression for
 * dbgenerated(), null where Prisma fills the value client-side (uuid(), cuid(), …).
 */
function expectedDefault(field: DMMF.Field): string | null {
  const value = field.default;
  if (value === undefined) return null;
  if (Array.isArray(value)) return `{${value.map(String).join(',')}}`;
  if (typeof value === 'object' && value !== null && 'name' in value) {
    switch (value.name) {
      case 'autoincrement':
      case 'sequence':
        return '<sequence>';
      case 'now':
        return '<now>';
      case 'dbgenerated':
        return value.args[0] === undefined ? null : String(value.args[0]);
      default:
        return null; // uuid(), cuid(), nanoid(), ulid(): generated by the client
    }
  }
  return String(value);
}

/** Reduces a pg_get_expr() default to the shape of {@link expectedDefault}. */
function normaliseDefault(expression: string | null): string | null {
  if (expression === null) return null;
  if (/^nextval\('.+'::regclass\)$/.test(expression)) return '<sequence>';
  if (expression === 'CURRENT_TIMESTAMP' || expression === 'now()') return '<now>';
  const literal = /^'((?:[^']|'')*)'(?:::[\w\s."[\]()]+)?$/.exec(expression);
  if (literal?.[1] !== undefined) return literal[1].replace(/''/g, "'");
  const casted = /^\(?(-?[\d.]+|true|false)\)?(?:::[\w\s]+)?$/.exec(expression);
  if (casted?.[1] !== undefined) return casted[1];
  return expression;
}

interface ExpectedIndex {
  unique: boolean;
  primary: boolean;
  method: string;
  columns: string[];
  descending: boolean[];
}

interface ExpectedForeignKey {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}

interface ExpectedTable {
  model: string;
  columns: Map<string, ExpectedColumn>;
  indexes: Map<string, ExpectedIndex>;
  foreignKeys: ExpectedForeignKey[];
}

function expectedSchema(datamodel: DMMF.Datamodel): Map<string, ExpectedTable> {
  const tables = new Map<string, ExpectedTable>();
  const tableOf = (modelName: string): string => {
    const model = datamodel.models.find((candidate) => candidate.name === modelName);
    if (model === undefined) throw new Error(`unknown model ${modelName}`);
    return model.dbName ?? model.name;
  };
  const columnOf = (modelName: string, fieldName: string): string => {
    const field = datamodel.models.find((candidate) => candidate.name === modelName)?.fields.find((f) => f.name === fieldName);
    if (field === undefined) throw new Error(`unknown field ${modelName}.${fieldName}`);
    return field.dbName ?? field.name;
  };

  for (const model of datamodel.models) {
    assert.equal(model.schema ?? null, null, `model ${model.name}: multiSchema is not covered by this test`);
    const table: ExpectedTable = { model: model.name, columns: new Map(), indexes: new Map(), foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          table.foreignKeys.push({
            columns: field.relationFromFields.map((name) => columnOf(model.name, name)),
            referencedTable: tableOf(field.type),
            referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(field.type, name)),
          });
        }
        continue;
      }
      table.columns.set(field.dbName ?? field.name, {
        type: expectedType(field, datamodel.enums),
        notNull: field.isRequired && !field.isList,
        default: expectedDefault(field),
      });
    }
    tables.set(model.dbName ?? model.name, table);
  }

  for (const index of datamodel.indexes) {
    const tableName = tableOf(index.model);
    const table = tables.get(tableName);
    assert.ok(table !== undefined);
    assert.notEqual(index.type, 'fulltext', 'fulltext indexes do not exist on PostgreSQL');
    const columns = index.fields.map((field) => columnOf(index.model, field.name));
    const suffix = index.type === 'id' ? '_pkey' : index.type === 'unique' ? '_key' : '_idx';
    const name = index.dbName ?? defaultConstraintName(tableName, columns, suffix);
    table.indexes.set(name, {
      unique: index.type !== 'normal',
      primary: index.type === 'id',
      method: (index.algorithm ?? 'BTree').toLowerCase(),
      columns,
      descending: index.fields.map((field) => field.sortOrder === 'desc'),
    });
  }
  return tables;
}

interface ActualColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
  default_expr: string | null;
}

interface ActualIndexRow {
  table_name: string;
  index_name: string;
  unique: boolean;
  primary: boolean;
  method: string;
  columns: string[];
  descending: boolean[];
  has_expressions: boolean;
  predicate: string | null;
}

interface ActualForeignKeyRow {
  table_name: string;
  columns: string[];
  referenced_table: string;
  referenced_columns: string[];
}

async function readActualSchema(client: Client): Promise<{
  columns: ActualColumnRow[];
  indexes: ActualIndexRow[];
  foreignKeys: ActualForeignKeyRow[];
  enums: Map<string, string[]>;
}> {
  const columns = await client.query<ActualColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`,
  );
  const indexes = await client.query<ActualIndexRow>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS unique, ix.indisprimary AS primary,
            am.amname AS method,
            ARRAY(SELECT a.attname::text
                    FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                   ORDER BY k.ord) AS columns,
            ARRAY(SELECT coalesce(pg_index_column_has_property(i.oid, k.ord::int, 'desc'), false)
                    FROM generate_series(1, ix.indnkeyatts) AS k(ord)
                   ORDER BY k.ord) AS descending,
            ix.indexprs IS NOT NULL AS has_expressions,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'
      ORDER BY t.relname, i.relname`,
  );
  const foreignKeys = await client.query<ActualForeignKeyRow>(
    `SELECT t.relname AS table_name,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            r.relname AS referenced_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`,
  );
  const enumRows = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() GROUP BY t.typname`,
  );
  return {
    columns: columns.rows,
    indexes: indexes.rows,
    foreignKeys: foreignKeys.rows,
    enums: new Map(enumRows.rows.map((row) => [row.name, row.labels])),
  };
}

describe('db/schema drift: migrations vs prisma/schema.prisma', function () {
  let db: TestDatabase;
  let datamodel: DMMF.Datamodel;
  let expected: Map<string, ExpectedTable>;
  let actual: Awaited<ReturnType<typeof readActualSchema>>;

  before(async function () {
    datamodel = await readDatamodel();
    expected = expectedSchema(datamodel);
    db = await createTestDatabase('drift');
    await migrateDatabase({ databaseUrl: db.url, logger: createCapturingLogger().logger });
    actual = await withClient(db.url, readActualSchema);
  });

  after(async function () {
    await db?.drop();
  });

  it('when the schema is parsed, then it has the contract tables (sanity check of the parser)', function () {
    assert.ok(expected.has('users'), 'model User maps to table users');
  });

  it('when every migration is applied, then the tables are exactly the models\' tables', function () {
    const actualTables = [...new Set(actual.columns.map((row) => row.table_name))].sort();
    assert.deepEqual(actualTables, [...expected.keys()].sort());
  });

  it('when every migration is applied, then every field has its column with the right type, nullability and default', function () {
    for (const [tableName, table] of expected) {
      const rows = actual.columns.filter((row) => row.table_name === tableName);
      assert.deepEqual(
        rows.map((row) => row.column_name).sort(),
        [...table.columns.keys()].sort(),
        `columns of ${tableName} (model ${table.model})`,
      );
      for (const row of rows) {
        const column = table.columns.get(row.column_name);
        assert.ok(column !== undefined);
        assert.deepEqual(
          { type: row.type, notNull: row.not_null, default: normaliseDefault(row.default_expr) },
          column,
          `${tableName}.${row.column_name} (model ${table.model}); database default: ${String(row.default_expr)}`,
        );
      }
    }
  });

  it('when every migration is applied, then the primary keys, unique constraints and indexes are the schema\'s, with Prisma\'s names', function () {
    for (const [tableName, table] of expected) {
      const rows = actual.indexes.filter((row) => row.table_name === tableName);
      const actualIndexes = new Map(
        rows.map((row) => {
          assert.equal(row.has_expressions, false, `${row.index_name} is an expression index, which schema.prisma cannot express`);
          assert.equal(row.predicate, null, `${row.index_name} is a partial index, which schema.prisma cannot express`);
          const index: ExpectedIndex = {
            unique: row.unique,
            primary: row.primary,
            method: row.method,
            columns: row.columns,
            descending: row.descending,
          };
          return [row.index_name, index];
        }),
      );
      assert.deepEqual(actualIndexes, table.indexes, `indexes of ${tableName} (model ${table.model})`);
    }
  });

  it('when every migration is applied, then the foreign keys are the schema\'s relations', function () {
    for (const [tableName, table] of expected) {
      const rows = actual.foreignKeys
        .filter((row) => row.table_name === tableName)
        .map((row): ExpectedForeignKey => ({
          columns: row.columns,
          referencedTable: row.referenced_table,
          referencedColumns: row.referenced_columns,
        }));
      const sortKey = (fk: ExpectedForeignKey): string => fk.columns.join(',');
      assert.deepEqual(
        rows.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
        [...table.foreignKeys].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
        `foreign keys of ${tableName}`,
      );
    }
  });

  it('when every migration is applied, then the enums are the schema\'s enums with the same values', function () {
    const expectedEnums = new Map(
      datamodel.enums.map((enumDef) => [enumDef.dbName ?? enumDef.name, enumDef.values.map((value) => value.dbName ?? value.name)]),
    );
    assert.deepEqual(actual.enums, expectedEnums);
  });
});
