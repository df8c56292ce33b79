-- CreateTable
CREATE TABLE "documents" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),
    "archive_reason" TEXT,

    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "event_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "document_events" (
    "event_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "document_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "txma_events" (
    "pk" TEXT NOT NULL,
    "sk" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "txma_events_pkey" PRIMARY KEY ("pk","sk")
);

-- CreateTable
CREATE TABLE "incentive_events" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "event_meta" JSONB,
    "workflow_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incentive_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "queue_url" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_tried_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "documents_entity_id_archived_at_id_idx" ON "documents"("entity_id", "archived_at", "id");

-- CreateIndex
CREATE INDEX "audit_events_published_at_idx" ON "audit_events"("published_at");

-- CreateIndex
CREATE INDEX "document_events_published_at_idx" ON "document_events"("published_at");

-- CreateIndex
CREATE INDEX "txma_events_expires_at_idx" ON "txma_events"("expires_at");

-- CreateIndex
CREATE INDEX "incentive_events_user_id_event_name_idx" ON "incentive_events"("user_id", "event_name");

-- CreateIndex
CREATE INDEX "outbox_queue_url_id_idx" ON "outbox"("queue_url", "id");
