/**
 * Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not
 * from schema.prisma).
 *
 * `prisma generate` needs no database, so DATABASE_URL is optional here: the
 * build (scripts/prisma-generate.mjs) runs without it. Commands that do need
 * a database (`prisma migrate deploy|status`, `prisma studio`) fail with
 * Prisma's own "datasource.url" error when it is unset. In Cascade itself
 * migrations are applied by `migrateDatabase` (src/db/migrate.ts), which
 * writes the same `_prisma_migrations` records as `prisma migrate deploy`.
 */
import { defineConfig } from 'prisma/config';

const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  ...(databaseUrl ? { datasource: { url: databaseUrl } } : {}),
});
