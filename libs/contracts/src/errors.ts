/** Errors that cross a boundary carry a stable code; messages are for people. */
export class SweSimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownEventTypeError extends SweSimError {
  constructor(type: string) {
    super('EVENT_TYPE_UNKNOWN', `Unknown event type "${type}": every event type must be defined in libs/contracts`, { type });
  }
}

export class EventSchemaError extends SweSimError {
  constructor(type: string, readonly field: string, reason: string) {
    super('EVENT_SCHEMA_INVALID', `Event ${type} is invalid at "${field}": ${reason}`, { type, field, reason });
  }
}

export class EventVersionError extends SweSimError {
  constructor(type: string, version: number, current: number) {
    super('EVENT_VERSION_UNSUPPORTED', `Event ${type} has schema version ${version}, newer than this code's ${current}`, {
      type,
      version,
      current,
    });
  }
}
