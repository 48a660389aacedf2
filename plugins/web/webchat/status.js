// The conversation's status on the page: "procesando…" while the assistant works, and while a person
// answers the hand-off banner (waiting for a person, or who answers).

export function createStatusView({ processing, handoff, handoffWho }) {
  /** The version of the status shown; an older one (a late event) is ignored. */
  let shownVersion = -1;

  function show(status) {
    document.body.dataset.status = status === 'PROCESSING' ? 'processing' : status === 'HANDOFF' ? 'handoff' : 'idle';
    processing.hidden = status !== 'PROCESSING';
    handoff.hidden = status !== 'HANDOFF';
    // A hand-off that ended forgets who answered: the next one waits for a person again.
    if (status !== 'HANDOFF') showAgent(null);
  }

  /** Who answers ("Ana (supervisora)", a reply's `agent`), or null while waiting for a person. */
  function showAgent(label) {
    if (label) document.body.dataset.agent = label;
    else delete document.body.dataset.agent;
    handoffWho.textContent = !label
      ? 'Esperando a un supervisor…'
      : label === 'Operador'
        ? 'Te atiende un operador'
        : `Te atiende ${label}`;
  }

  return {
    show,
    showAgent,
    /** Applies a conversation status unless a newer one (higher version) was already shown. */
    apply(status, version) {
      if (version < shownVersion) return;
      shownVersion = version;
      show(status);
    },
    /** A new conversation: idle, any version applies. */
    reset() {
      shownVersion = -1;
      show('IDLE');
    },
  };
}
