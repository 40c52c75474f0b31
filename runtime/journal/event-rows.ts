import type { Envelope } from "../../machines/envelope.ts";

/** A row of the journal's `events` table. */
export interface EventRow {
  seq: number;
  id: string;
  type: string;
  source: string;
  time: number;
  node: string | null;
  data: string | null;
}

/** The envelope a row of `events` holds. */
export function envelopeOfRow(row: EventRow): Envelope {
  const envelope: Envelope = {
    id: row.id,
    type: row.type,
    source: row.source,
    time: row.time,
    data: row.data === null ? undefined : (JSON.parse(row.data) as unknown),
  };
  if (row.node !== null) envelope.node = row.node;
  return envelope;
}
