import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes Cascade sets on its workflows, by name, with their
 * Temporal type. The local stack registers them on the dev server; `cascade
 * init` registers them on a real namespace.
 */
export const CASCADE_SEARCH_ATTRIBUTES = {
  CascadeRoute: 'Keyword',
  EventKey: 'Keyword',
  EntityId: 'Keyword',
  EntityType: 'Keyword',
} as const;

/** Name of one of Cascade's custom search attributes. */
export type CascadeSearchAttributeName = keyof typeof CASCADE_SEARCH_ATTRIBUTES;

/** Temporal search attribute type names as the CLI and the UI spell them. */
export type SearchAttributeTypeName = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/**
 * Typed keys of {@link CASCADE_SEARCH_ATTRIBUTES}, for starting workflows and
 * reading their attributes: one per attribute (the compiler keeps the two lists
 * in step).
 */
export const SEARCH_ATTRIBUTE_KEYS = {
  CascadeRoute: defineSearchAttributeKey('CascadeRoute', SearchAttributeType.KEYWORD),
  EventKey: defineSearchAttributeKey('EventKey', SearchAttributeType.KEYWORD),
  EntityId: defineSearchAttributeKey('EntityId', SearchAttributeType.KEYWORD),
  EntityType: defineSearchAttributeKey('EntityType', SearchAttributeType.KEYWORD),
} as const satisfies Readonly<Record<CascadeSearchAttributeName, ReturnType<typeof defineSearchAttributeKey>>>;
