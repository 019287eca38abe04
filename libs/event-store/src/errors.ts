import { SweSimError } from '@swe-sim/contracts';
import { ExpectedVersion } from './types';

export class ConcurrencyError extends SweSimError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number | null,
  ) {
    super(
      'STREAM_VERSION_CONFLICT',
      `Stream ${streamId}: expected version ${expected}, found ${actual === null ? 'no stream' : actual}`,
      { streamId, expected, actual },
    );
  }
}

export class EventTooLargeError extends SweSimError {
  constructor(type: string, bytes: number, limit: number) {
    super('EVENT_TOO_LARGE', `Event ${type} is ${bytes} bytes, over the limit of ${limit}: put large payloads in the blob store`, {
      type,
      bytes,
      limit,
    });
  }
}

export class DuplicateEventError extends SweSimError {
  constructor(eventId: string) {
    super('EVENT_DUPLICATE', `An event with id ${eventId} is already stored`, { eventId });
  }
}

export class InvalidAppendError extends SweSimError {
  constructor(message: string) {
    super('APPEND_INVALID', message);
  }
}
