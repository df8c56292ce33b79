/*
 * Clients of the routes' destinations (S3 for email-archive, SNS for
 * entity-deleted's audit events), apart from clients.ts so that a bridge,
 * which never writes there, does not load their SDKs.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { CascadeConfig } from '../config';
import { type AwsRequestTimeouts, toAwsRequestHandler } from './aws-request-handler';

/** An S3 client with request timeouts; path-style addressing when an endpoint override (moto) is set. */
export function createS3Client(config: CascadeConfig, timeouts: AwsRequestTimeouts = {}): S3Client {
  return new S3Client({
    region: config.aws.region,
    requestHandler: toAwsRequestHandler(timeouts),
    ...(config.aws.s3Endpoint ? { endpoint: config.aws.s3Endpoint, forcePathStyle: true } : {}),
  });
}

/** An SNS client for the configured region and endpoint (moto locally), with request timeouts. */
export function createSnsClient(config: CascadeConfig, timeouts: AwsRequestTimeouts = {}): SNSClient {
  return new SNSClient({
    region: config.aws.region,
    requestHandler: toAwsRequestHandler(timeouts),
    ...(config.aws.snsEndpoint ? { endpoint: config.aws.snsEndpoint } : {}),
  });
}
