import { createHash, timingSafeEqual } from 'node:crypto';

/** What {@link createBearerTokenCheck} finds in an `Authorization` header. */
export type BearerTokenVerdict = 'valid' | 'missing' | 'invalid';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * A check of `Authorization: Bearer <token>` against `token`, in constant
 * time (both sides are hashed first, so lengths do not leak either).
 */
export function createBearerTokenCheck(token: string): (authorization: string | undefined) => BearerTokenVerdict {
  const expected = digest(token);
  return (authorization) => {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (presented === undefined) return 'missing';
    return timingSafeEqual(digest(presented), expected) ? 'valid' : 'invalid';
  };
}
