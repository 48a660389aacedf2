import { UpstreamError, WorkflowUnavailableError } from '../errors.ts';

/** Rejects when `work` takes longer than `ms`, so the machine answers with its error path in time. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error =
        what === 'startWorkflow'
          ? new WorkflowUnavailableError('unreachable', `${what} took longer than ${ms} ms`)
          : new UpstreamError('cmms', `${what} took longer than ${ms} ms`, { retryable: true });
      reject(error);
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
