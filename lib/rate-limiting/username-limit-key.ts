/** Zero-width spaces, soft hyphens, variation selectors, joiners...: invisible, and ignored by collations. */
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Accents and other combining marks left over after canonical decomposition. */
const NONSPACING_MARKS = /\p{Mn}/gu;

/**
 * The form of a username in limiter keys, so that spellings a user directory may treat as the same account share one
 * budget instead of each opening a fresh one: `Ｇｕａｎｇ` (full width), `GUANG`, `gu\u200Bang` (zero-width space),
 * `guáng` and ` guang ` all count as `guang`. Case- and accent-insensitive MySQL collations (`utf8mb4_0900_ai_ci`,
 * the default) match all of these to one row, so keeping them apart would multiply an attacker's guesses.
 *
 * Steps: NFKC (compatibility forms such as full width and ligatures), case folding (upper- then lower-casing, because
 * JavaScript has no full case fold: `ß` → `ss`, `ς` → `σ`), default-ignorable code points removed, accents removed
 * (decompose, drop non-spacing marks, recompose), surrounding white space trimmed. Merging too much only makes two
 * usernames share a budget, which is the safe direction for a limit.
 */
export function usernameLimitKey(username: string): string {
  return username
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(DEFAULT_IGNORABLE, '')
    .normalize('NFD')
    .replace(NONSPACING_MARKS, '')
    .normalize('NFC')
    .trim();
}
