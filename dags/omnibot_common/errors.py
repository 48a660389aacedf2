"""The one error type a workflow step raises: a stable `code`, a technical message, retryable or not."""

from __future__ import annotations


class WorkflowFailure(Exception):
    """A workflow failure that ends in the callback as `error: {code, message}`.

    `retryable` failures (CMMS unreachable, 5xx) let Airflow retry the task; the others fail at once.
    """

    def __init__(self, code: str, message: str, *, retryable: bool = False, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status = status

    def as_error(self) -> dict:
        return {"code": self.code, "message": self.message}
