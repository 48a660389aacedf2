import type { MessageUnderstanding } from '../core/runtime/model.ts';
import type { CatalogEquipment } from '../language/types.ts';
import { detectIntent, type Intent, normalize } from './intents.ts';

/**
 * SEAM (coordinator): the classifier helper replaces this body. One message read as a whole: the
 * menu's exact commands first (a Map lookup, free), then the keyword rules and the trained classifier,
 * and the slots the text gives (equipment, description, priority, order number, technician).
 */

export type Understanding = MessageUnderstanding & { intent: Intent };

const MENU_COMMANDS: ReadonlyMap<string, Intent> = new Map([
  ['reportar falla', 'report_failure'],
  ['ayuda', 'help'],
  ['menu', 'help'],
]);

/** An exact menu command (folded text), else undefined. */
export function menuCommand(text: string): Intent | undefined {
  return MENU_COMMANDS.get(normalize(text));
}

/** The understanding of a typed message; `catalog` (the CMMS equipment) resolves equipment names. */
export function understandText(text: string, _catalog?: readonly CatalogEquipment[] | null): Understanding {
  const menu = menuCommand(text);
  if (menu) return { intent: menu, by: 'menu', slots: {} };
  const match = detectIntent(text);
  return {
    intent: match.intent,
    by: 'rules',
    slots: {
      ...(match.workOrder ? { workOrder: match.workOrder } : {}),
      ...(match.technician ? { technician: match.technician } : {}),
    },
  };
}
