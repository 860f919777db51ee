/** A span refused at ingest, named by its index in the request (and its id when it had one). */
export interface IngestRejection {
  index: number;
  id: string | null;
  reason: string;
}
