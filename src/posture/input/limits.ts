/** Limits that keep hostile input from exhausting the stack or memory of a scan. */

/** Deeper documents are refused: rules and the report writer recurse over objects. */
export const MAX_DEPTH = 256;
/** Alias expansion budget (nodes per document): refuses "billion laughs" documents. */
export const MAX_EXPANDED_NODES = 2_000_000;
