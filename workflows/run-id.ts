/**
 * A workflow run's id. Airflow run ids allow `[A-Za-z0-9_.~:+-]`; the id is derived from the
 * conversation and its turn so that a retried step triggers the same run (409 = already there).
 * `turn` may carry the conversation's epoch too (`<epoch>-<n>`), so a conversation restarted from
 * scratch never reuses an old run id.
 */
export function workflowRunId(conversationId: string, turn: number | string): string {
  const safe = conversationId.replace(/[^A-Za-z0-9_.~+-]/g, '_');
  return `omnibot__${safe}__t${turn}`;
}
