import { EventDefinition } from './event-definition';
import { EventSchemaError, EventVersionError, UnknownEventTypeError } from './errors';

/** The set of event types a process knows, with validation at write and upcasting at read. */
export class EventRegistry {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(definitions: readonly EventDefinition[] = []) {
    definitions.forEach((d) => this.register(d));
  }

  register(definition: EventDefinition): this {
    const existing = this.definitions.get(definition.type);
    if (existing && existing !== definition) throw new Error(`Event type ${definition.type} is defined twice`);
    this.definitions.set(definition.type, definition);
    return this;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  get(type: string): EventDefinition {
    const def = this.definitions.get(type);
    if (!def) throw new UnknownEventTypeError(type);
    return def;
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** Validates data against the current schema; returns the parsed (stripped of nothing, typed) value. */
  validate(type: string, data: unknown): { data: unknown; version: number } {
    const def = this.get(type);
    const result = def.schema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue.path.length ? issue.path.join('.') : '(root)';
      throw new EventSchemaError(type, field, issue.message);
    }
    return { data: result.data, version: def.version };
  }

  /** Brings data written under an older schema version up to the current one. */
  upcast(type: string, version: number, data: unknown): unknown {
    const def = this.definitions.get(type);
    if (!def) return data; // readers may see types they do not know; they pass them on untouched
    if (version > def.version) throw new EventVersionError(type, version, def.version);
    let value = data;
    for (let v = version; v < def.version; v++) value = def.upcasters![v](value);
    return value;
  }

  streamOf(type: string, data: unknown): string | undefined {
    return this.get(type).streamOf?.(data as never);
  }
}
