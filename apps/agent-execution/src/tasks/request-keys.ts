import { derivedId } from '@swe-sim/event-store';

/**
 * The ids of one sandbox request: this simulation's, and — in a replay or a fork — the id of the
 * request the original's task made for the same step (its reply is the recorded result).
 */
export interface RequestIds {
  own: string;
  original: string | null;
}

/**
 * Derives request ids from what caused them, so a re-run after a crash joins the request already
 * sent. Every derivation is made twice in a replay or a fork: from this task's key and from the
 * original task's, which is how a step finds the original's result without any lookup table.
 */
export class RequestKeys {
  constructor(
    readonly own: string,
    readonly original: string | null,
  ) {}

  ids(...parts: Array<string | number>): RequestIds {
    return { own: derivedId(this.own, ...parts), original: this.original === null ? null : derivedId(this.original, ...parts) };
  }

  /** Keys one level down (a tool call's requests, a sandbox generation's set-up). */
  sub(...parts: Array<string | number>): RequestKeys {
    const ids = this.ids(...parts);
    return new RequestKeys(ids.own, ids.original);
  }
}
