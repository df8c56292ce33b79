import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

/**
 * Creates a Prisma Client that talks to PostgreSQL through the node-postgres
 * driver adapter (Prisma 7 has no built-in engine connection).
 *
 * Call it once at start-up and share the client; call `$disconnect()` on
 * shutdown to close its pool. A `schema` query parameter in the URL selects
 * the PostgreSQL schema, as it does for {@link migrateDatabase}.
 *
 * @param databaseUrl `postgresql://user:password@host:port/database[?schema=name]`
 */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch (error) {
    throw new TypeError('databaseUrl is not a valid URL; expected postgresql://user:password@host:port/database', {
      cause: error,
    });
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const adapter = new PrismaPg({ connectionString: url.toString() }, schema === undefined ? undefined : { schema });
  return new PrismaClient({ adapter });
}

export type { PrismaClient, User } from '../generated/prisma/client';
/** Prisma's namespace: error classes (`Prisma.PrismaClientKnownRequestError`), input types, `Prisma.TransactionClient`. */
export { Prisma } from '../generated/prisma/client';
