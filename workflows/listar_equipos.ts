import type { EquipmentSummary } from './cmms.ts';
import { equipmentLine, LIST_LIMIT, more } from './format.ts';
import { isCountedList, isEquipment } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `listar_equipos`, params `{}`: the active equipment. */
export interface ListEquipmentResult {
  total: number;
  equipment: EquipmentSummary[];
}

export const listar_equipos = defineWorkflow({
  id: 'listar_equipos',
  async run(cmms): Promise<ListEquipmentResult> {
    const equipment = await cmms.listEquipment();
    return { total: equipment.length, equipment };
  },
  isResult: (value): value is ListEquipmentResult => isCountedList(value, 'equipment', isEquipment),
  render(r) {
    if (r.total === 0) return { text: 'No hay equipos registrados.' };
    const lines = r.equipment.slice(0, LIST_LIMIT).map((e) => `• ${equipmentLine(e)}`);
    return { text: `Equipos registrados (${r.total}):\n${lines.join('\n')}${more(r.total, lines.length)}` };
  },
});
