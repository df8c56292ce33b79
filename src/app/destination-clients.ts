/*
 * Clients of the routes' destinations (S3 for email-archive, SNS for
 * entity-deleted's audit events), apart from clients.ts so that a bridge,
 * which never writes there, does not load their SDKs.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { CascadeConfig } from '../config';

/** An S3 client; path-style addressing when an endpoint override (moto) is set. */
export function createS3Client(config: CascadeConfig): S3Client {
  return new S3Client({ region: config.aws.region, ...(config.aws.s3Endpoint ? { endpoint: config.aws.s3Endpoint, forcePathStyle: true } : {}) });
}

/** An SNS client for the configured region and endpoint (moto locally). */
export function createSnsClient(config: CascadeConfig): SNSClient {
  return new SNSClient({ region: config.aws.region, ...(config.aws.snsEndpoint ? { endpoint: config.aws.snsEndpoint } : {}) });
}
