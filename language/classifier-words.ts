/**
 * A word the classifier never saw in training, read as words it knows: the same word without an enclitic
 * pronoun ("ciérrala" → "cierra", "desconéctame" → "desconecta"), one typo away from a known word
 * ("holaa" → "hola", "notificasiones" → "notificaciones"), or a synonym from a small Spanish lexicon of
 * the assistant's topics ("abortar" → "cancelar", "mutear" → "silenciar"). Known words are never
 * changed: this only gives a meaning to what would otherwise be ignored.
 */

/** Words that mean the same for the assistant: each group's words stand for each other. */
const SYNONYMS: readonly string[] = [
  // Dropping what is being done.
  'cancelar anular abortar descartar olvidar',
  // Order actions.
  'iniciar empezar comenzar partir arrancar',
  'terminar completar finalizar cerrar concluir acabar',
  'asignar reasignar encargar delegar designar adjudicar',
  // The account.
  'vincular asociar enlazar conectar loguear ingresar acceder login',
  'desvincular desasociar desenlazar desconectar desloguear logout',
  'borrar eliminar suprimir',
  // Notifications.
  'notificaciones avisos alertas',
  'activar encender prender habilitar reactivar suscribir',
  'desactivar apagar silenciar mutear deshabilitar desuscribir',
  // People, help and small talk.
  'persona humano supervisor jefe encargado agente ejecutivo operador',
  'ayuda manual tutorial instrucciones guia',
  'menu opciones comandos',
  'ok okey listo perfecto conforme entendido vale recibido copiado dale bacan',
  'gracias agradecido agradezco',
  'chao adios bye',
  'hola wena buenas saludos',
  // Work and equipment.
  'orden ot tarea pega trabajo',
  'pendientes abiertas vigentes backlog',
  'equipos maquinas maquinaria flota',
  'falla problema averia desperfecto',
];

/** Enclitic pronouns, longest first ("dásela", "ciérrala", "avísame"). */
const CLITICS = [
  'selas',
  'selos',
  'sela',
  'selo',
  'mela',
  'melo',
  'nos',
  'les',
  'los',
  'las',
  'me',
  'se',
  'le',
  'lo',
  'la',
];

/** What the classifier knows: its stems and its training words (with their counts). */
export interface KnownWords {
  hasStem(stem: string): boolean;
  stem(word: string): string;
  /** Training words → how often they were seen. */
  counts: ReadonlyMap<string, number>;
}

/** Words one letter removed → the known words they come from (built once per model). */
function deletionIndex(counts: ReadonlyMap<string, number>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (key: string, word: string) => {
    const list = index.get(key);
    if (!list) index.set(key, [word]);
    else if (!list.includes(word)) list.push(word);
  };
  for (const word of counts.keys()) {
    if (word.length < 4) continue;
    add(word, word);
    for (let i = 0; i < word.length; i += 1) add(word.slice(0, i) + word.slice(i + 1), word);
  }
  return index;
}

export class WordResolver {
  readonly #known: KnownWords;
  /** Built with the resolver (a few milliseconds), not on the first unseen word of a conversation. */
  readonly #deletions: Map<string, string[]>;
  /** Stem → the stems of its synonyms. */
  readonly #synonyms = new Map<string, string[]>();

  constructor(known: KnownWords) {
    this.#known = known;
    this.#deletions = deletionIndex(known.counts);
    for (const group of SYNONYMS) {
      const stems = [...new Set(group.split(' ').map((word) => known.stem(word)))];
      for (const stem of stems) this.#synonyms.set(stem, [...new Set([...(this.#synonyms.get(stem) ?? []), ...stems])]);
    }
  }

  /** The known stems an unseen word stands for (empty when none). */
  resolve(word: string, stem: string): string[] {
    const bare = this.#withoutClitic(word);
    if (bare) return [bare];
    const synonyms = this.#knownSynonyms(stem);
    if (synonyms.length > 0) return synonyms;
    const typo = this.#typo(word);
    return typo ? [typo] : [];
  }

  #withoutClitic(word: string): string | undefined {
    for (const clitic of CLITICS) {
      if (!word.endsWith(clitic) || word.length - clitic.length < 4) continue;
      const verb = word.slice(0, -clitic.length);
      if (!/[aeir]$/.test(verb)) continue;
      const stem = this.#known.stem(verb);
      if (this.#known.hasStem(stem)) return stem;
      const synonyms = this.#knownSynonyms(stem);
      if (synonyms.length > 0) return synonyms[0];
    }
    return undefined;
  }

  #knownSynonyms(stem: string): string[] {
    return (this.#synonyms.get(stem) ?? []).filter((other) => other !== stem && this.#known.hasStem(other));
  }

  /** The most frequent known word one edit away (a letter added, missing, changed or two swapped). */
  #typo(word: string): string | undefined {
    if (word.length < 4 || /\d/.test(word)) return undefined;
    const candidates = new Set<string>(this.#deletions.get(word) ?? []);
    for (let i = 0; i < word.length; i += 1) {
      for (const known of this.#deletions.get(word.slice(0, i) + word.slice(i + 1)) ?? []) candidates.add(known);
    }
    let best: string | undefined;
    for (const candidate of candidates) {
      const count = this.#known.counts.get(candidate) ?? 0;
      const bestCount = best === undefined ? -1 : (this.#known.counts.get(best) ?? 0);
      if (count > bestCount || (count === bestCount && candidate < best!)) best = candidate;
    }
    return best === undefined ? undefined : this.#known.stem(best);
  }
}
