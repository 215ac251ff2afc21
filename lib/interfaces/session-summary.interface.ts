/** One entry of `GET <prefix>/sessions` (wire type: ISO 8601 timestamps). */
export interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  /** When the session ends unless it is used again: the earlier of its idle and absolute expiry. */
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  /** Whether this is the session of the access token that asked. */
  current: boolean;
}
