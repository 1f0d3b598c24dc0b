// The input of `Engine.write`: one record to create or update, with the related records to create,
// connect or disconnect in the same transaction. Plain data in the engine's own vocabulary (the
// shape of Prisma's and Hygraph's nested inputs); the API layers translate into it.
import type { RecordData, Selection, Where } from "../queryTypes.ts";

/**
 * Field values of one record (foreign keys included), and relationship inputs keyed by
 * relationship name: a `ToOneWrite` for a belongsTo, a `ToManyWrite` for a hasMany. Values are
 * checked at run time, so the type stays open.
 */
export type WriteData = { [fieldOrRelation: string]: unknown };

/** A belongsTo input: exactly one of the three. `disconnect: false` leaves the reference as it is. */
export interface ToOneWrite {
  /** Creates the related record first and points this record at it. */
  create?: WriteData;
  /** Points this record at an existing one, named by its primary key or a unique field. */
  connect?: Where;
  /** Clears the foreign key. */
  disconnect?: boolean;
}

/** A hasMany input, applied after the record itself is written, in this order. */
export interface ToManyWrite {
  /** New related records, pointing at this one. */
  create?: WriteData[];
  /** Existing records (by primary key or a unique field), moved to point at this one. */
  connect?: Where[];
  /** Records now pointing at this one, whose foreign key is cleared (update only; the key must be optional). */
  disconnect?: Where[];
}

interface WriteTreeBase {
  /** The model of the root record. */
  model: string;
  /**
   * Reads the root record back with this selection (relationships included) in the same
   * transaction, after every write. Without it the result is the written row itself.
   */
  select?: Selection;
}

export interface CreateTree extends WriteTreeBase {
  create: WriteData;
}

export interface UpdateTree extends WriteTreeBase {
  update: {
    /** The primary key or one unique field of the root record. */
    where: Where;
    data: WriteData;
    /** CONFLICT (and nothing written) when the root record is at another version. */
    expectedVersion?: number;
  };
}

export type WriteTree = CreateTree | UpdateTree;

/** The root record: as written, or as read back with `select` (null when the principal may not read it). */
export type WriteTreeResult = RecordData | null;
