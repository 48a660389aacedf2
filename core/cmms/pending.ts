/**
 * Pending work orders as the DAGs see them (`dags/omnibot_common/summaries.py`): the rule lives in
 * `workflows/pending.ts` (the workflows sort their lists with it too).
 */
export { comparePending, isPendingState, priorityRank } from '../../workflows/pending.ts';
