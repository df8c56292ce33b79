import pino from 'pino';
import { type PrismaClient, createPrismaClient } from '../../src/db/client';
import { migrateDatabase } from '../../src/db/migrate';
import { createTestDatabase } from '../db/test-database';

/** A fresh, migrated database of its own with a Prisma client on it. */
export interface MigratedDatabase {
  readonly url: string;
  readonly prisma: PrismaClient;
  drop(): Promise<void>;
}

/** Creates and migrates a database for one test file, on the test stack's PostgreSQL. */
export async function createMigratedDatabase(label: string): Promise<MigratedDatabase> {
  const database = await createTestDatabase(label);
  await migrateDatabase({ databaseUrl: database.url, logger: pino({ level: 'warn' }) });
  const prisma = createPrismaClient(database.url);
  return {
    url: database.url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}
