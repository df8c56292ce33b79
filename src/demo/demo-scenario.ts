import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CascadeConfig } from '../config';
import type { PrismaClient } from '../db/client';
import type { RouteName } from '../routes/route-names';

/** One message of a demo, with what it is meant to show. */
export interface DemoMessage {
  readonly label: string;
  readonly body: string;
}

/** Clients a demo scenario seeds with and reads its effects from. */
export interface DemoContext {
  readonly prisma: PrismaClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly config: CascadeConfig;
}

/** A table of a route's effects after the demo. */
export interface DemoTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** What `cascade demo` does for one route: seed, send, then show the effects. */
export interface DemoScenario {
  readonly route: RouteName;
  readonly messages: readonly DemoMessage[];
  seed(context: DemoContext): Promise<void>;
  effects(context: DemoContext): Promise<DemoTable>;
}
