/**
 * What the language toolkit reads and returns. The toolkit is a leaf: it knows Spanish and the CMMS's
 * equipment catalog as plain data, nothing of the runtime or the conversation.
 */

/** The CMMS priorities of a work order. */
export type Priority = 'Baja' | 'Media' | 'Alta' | 'Crítica';

/** One catalog equipment as the toolkit reads it (structurally a subset of the CMMS equipment summary). */
export interface CatalogEquipment {
  codigointerno: string | null;
  nombreequipo: string;
  marca: string | null;
  modelo: string | null;
}

/** What a message says besides its intent; every slot is absent when the message does not say it. */
export interface Slots {
  /** The equipment mentioned: how it was written, and the catalog codes it matches (sorted; several: ambiguous). */
  equipment?: EquipmentMention;
  /** The symptom, as written, without the equipment, the priority and the request words. */
  description?: string;
  priority?: Priority;
  /** A work-order number, canonical (`OT-CORR-1`, `OT-18`). */
  workOrder?: string;
  /** Who to assign an order to, as written ("Juan Pérez"). */
  technician?: string;
}

export interface EquipmentMention {
  /** The words that named it ("la excavadora 336", "cat cero cero uno"), as written. */
  mention: string;
  /** Catalog codes it matches, sorted; empty without a catalog or when no equipment matches. */
  codes: string[];
  /** The code as written, canonical ("CAT-001"), when the mention was a code (found without a catalog too). */
  code?: string;
}
