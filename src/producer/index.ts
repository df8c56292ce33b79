/**
 * The producer side of the tasks route: send portal tasks and incentive
 * events to the tasks queue, with a database outbox when SQS is unreachable.
 */
export { MAX_BATCH_ENTRIES, type SendBodiesOptions, type SendBodiesResult, type UnsentBody, sendBodies } from './batch-sender';
export { InvalidTaskError, MessageTooLargeError, OutboxWriteError, isInvalidTaskError } from './errors';
export { type FlushOutboxOptions, type OutboxQueueSummary, type OutboxStore, flushOutbox, summarizeOutbox, writeToOutbox } from './outbox';
export { SQS_MAX_MESSAGE_BYTES, SQS_MAX_PAYLOAD_BYTES, type EventChunking, newTaskId, readQueueMaxMessageBytes, toBodyBytes, toEventBodies, toTaskBody } from './task-bodies';
export { type FailedMessage, type SendOptions, type TaskProducer, type TaskProducerOptions, type TaskSendResult, createTaskProducer } from './task-producer';
