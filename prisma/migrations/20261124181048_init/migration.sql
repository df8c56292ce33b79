-- CreateTable
CREATE TABLE "users" (
    "uid" BIGSERIAL NOT NULL,
    "service" TEXT NOT NULL DEFAULT 'sync-1.5',
    "email" TEXT NOT NULL,
    "generation" BIGINT NOT NULL,
    "keys_changed_at" BIGINT,
    "client_state" TEXT NOT NULL,
    "created_at" BIGINT NOT NULL,
    "replaced_at" BIGINT,

    CONSTRAINT "users_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE INDEX "users_email_service_replaced_at_idx" ON "users"("email", "service", "replaced_at");
