import { z } from 'zod';

/** Upgrades the data of one schema version to the next (v → v+1). Pure. */
export type Upcaster = (data: any) => unknown;

/**
 * One event type: its current schema and version, the stream it belongs to,
 * and how to upgrade data written under older versions (never rewritten in place).
 */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly type: TType;
  readonly version: number;
  readonly schema: TSchema;
  /** Stream an event of this type belongs to when emitted without an explicit stream. */
  streamOf?(data: z.infer<TSchema>): string;
  /** upcasters[v] turns version v data into version v+1 data. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

export function defineEvent<TType extends string, TSchema extends z.ZodTypeAny>(
  def: EventDefinition<TType, TSchema>,
): EventDefinition<TType, TSchema> {
  if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`${def.type}: version must be an integer ≥ 1`);
  for (let v = 1; v < def.version; v++) {
    if (def.upcasters && !def.upcasters[v]) throw new Error(`${def.type}: upcasters given but v${v}→v${v + 1} missing`);
  }
  return def;
}

export type EventData<D extends EventDefinition> = z.infer<D['schema']>;
