import { derivedId } from '@swe-sim/event-store';

/**
 * The ids of one sandbox request: `[0]` this simulation's; in a replay or a fork, `[1]` the id
 * of the request the original's task made for the same step, `[2]` the original's original's…
 */
export type RequestIds = readonly string[];

/**
 * Derives request ids from what caused them, so a re-run after a crash joins the request already
 * sent. In a replay or a fork every derivation is also made from the original task's key (and its
 * own original's, down the chain): that is how a step finds the original's result, with no table.
 */
export class RequestKeys {
  constructor(readonly roots: readonly string[]) {}

  ids(...parts: Array<string | number>): RequestIds {
    return this.roots.map((root) => derivedId(root, ...parts));
  }

  /** Keys one level down (a tool call's requests, a sandbox generation's set-up). */
  sub(...parts: Array<string | number>): RequestKeys {
    return new RequestKeys(this.ids(...parts));
  }
}
