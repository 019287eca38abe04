import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store: one append-only log, stream versions for optimistic concurrency,
 * subscription checkpoints, dead letters, and content-addressed blobs.
 */
export class EventStore1764300000000 implements MigrationInterface {
  name = 'EventStore1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- xid8 of the appending transaction: readers only pass transactions older than every running one
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text        NOT NULL,
        stream_version  bigint      NOT NULL,
        event_id        uuid        NOT NULL UNIQUE,
        type            text        NOT NULL,
        schema_version  integer     NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        simulation_id   uuid        NULL,
        recorded_at     timestamptz NOT NULL,
        UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX events_commit_order ON events (transaction_id, global_position)`);
    await q.query(`CREATE INDEX events_by_simulation ON events (simulation_id, global_position) WHERE simulation_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_by_type ON events (type, transaction_id, global_position)`);
    await q.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        version   bigint NOT NULL CHECK (version >= 0)
      )`);
    await q.query(`
      CREATE TABLE subscription_checkpoints (
        name                text PRIMARY KEY,
        last_transaction_id xid8        NOT NULL DEFAULT '0',
        last_position       bigint      NOT NULL DEFAULT 0,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE subscription_dead_letters (
        subscription text        NOT NULL,
        event_id     uuid        NOT NULL,
        error        text        NOT NULL,
        attempts     integer     NOT NULL,
        parked_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subscription, event_id)
      )`);
    await q.query(`
      CREATE TABLE blobs (
        hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
        content    bytea       NOT NULL,
        size       integer     NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Request/response through the store: requests a service has accepted and not yet answered.
    await q.query(`
      CREATE TABLE transport_inbox (
        service          text        NOT NULL,
        request_id       uuid        NOT NULL,
        pattern          text        NOT NULL,
        status           text        NOT NULL CHECK (status IN ('pending', 'done')),
        attempts         integer     NOT NULL DEFAULT 0,
        accepted_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (service, request_id)
      )`);
    await q.query(`CREATE INDEX transport_inbox_pending ON transport_inbox (service, accepted_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transport_inbox, blobs, subscription_dead_letters, subscription_checkpoints, streams, events`);
  }
}
