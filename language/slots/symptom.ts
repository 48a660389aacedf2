/**
 * Whether folded text reads as a failure report: it speaks of a failure or a symptom ("pierde aceite",
 * "no parte", "se quedó sin frenos", "ruido raro", "en pana"), or it names equipment or a priority and
 * asks nothing ("la cat 320 tiene el balde desalineado", not "estado de la CAT-001" or "¿la grúa está
 * operativa?"). Only a report has a description: "ver mis OT" or "me voy" are no symptoms. Spanish
 * words, no equipment.
 */

const STEMS = [
  'fall[a-z]*|averi[a-z]*|desperfecto[s]?|problema[s]?|rot[oa]s?|romp[a-z]*|danad[oa]s?|dano',
  'fuga[s]?|bot(?:a|an|ando|o)|pierde[n]?|perd(?:iendo|io|ida|idas)|gote[a-z]*|filtr[a-z]*|derram[a-z]*|chorre[a-z]*',
  '(?:sobre|re)?calent[a-z]*|(?:sobre|re)?calienta[n]?|temperatura|presion|humo|ruido[s]?|suena[n]?|sonido|chill[a-z]*|vibr[a-z]*',
  'golpe[a-z]*|alarma[s]?|error(?:es)?|pana|trabad[oa]s?|pegad[oa]s?|suelt[oa]s?|quebr[a-z]*|triz[a-z]*|pinch[a-z]*',
  'revent[a-z]*|cortad[oa]s?|quemad[oa]s?|fundid[oa]s?|descargad[oa]s?|apagad[oa]s?|mal[oa]?s?|dur[oa]|lent[oa]|larg[oa]s',
  String.raw`no\s+(?:(?:me|le|se|lo|la)\s+)?(?:parte|partio|arranca|arranco|enciende|prende|funciona|anda|frena|levanta|avanza|carga|sube|baja|gira|responde|da|tiene|tengo|marca|para|mueve|acelera|retrocede|perfora|quiso|quiere|vuelve|engancha|cierra|abre|corta|enfria|camina|pasa|entra|trabaja|opera|aguanta|sirve)`,
  String.raw`sin\s+(?:frenos?|presion|aire|aceite|agua|direccion|bateria|luz|luces|fuerza|potencia|combustible|comunicacion|senal|carga|refrigerante)`,
  String.raw`se\s+(?:le\s+|me\s+|nos\s+)?(?:quedo|echo|apago|apaga|corto|trizo|quebro|cayo|solto|salio|pincho|pego|trabo|detuvo|paro|esta|volco|rompio|fundio|quemo|desinflo|desarmo|traba|pega|corta)`,
  String.raw`le\s+pasa\s+algo|check\s+engine`,
];

const SYMPTOM = new RegExp(`(?<![a-z0-9])(?:${STEMS.join('|')})(?![a-z0-9])`);

/** A question or a request for information rather than a symptom. */
const ASKS =
  /\?|^[\s¡¿]*(?:(?:me\s+)?(?:dice|dices|puedes|podrias)\s+)?(?:estado|status|como|que|q|cual|cuales|cuando|donde|quien|ver|mostrar|muestrame|listar|lista|historial|info|informacion|datos|ficha|consultar|consulta)(?![a-z0-9])/;

export function saysSymptom(folded: string): boolean {
  return SYMPTOM.test(folded);
}

/** True for a report: symptom words, or equipment or a priority named without asking anything. */
export function readsAsReport(folded: string, namesEquipmentOrPriority: boolean): boolean {
  return saysSymptom(folded) || (namesEquipmentOrPriority && !ASKS.test(folded));
}
