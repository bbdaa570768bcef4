/** Where the workspace shows a case, and what a page may be told on the way there. */

export function casePath(ref: string): string {
  return `/arbetsyta/arenden/${encodeURIComponent(ref)}`;
}

/** The navigation state of a case page: `mergedFrom` names a duplicate just merged into this case. */
export interface CaseLocationState {
  mergedFrom?: string;
}
