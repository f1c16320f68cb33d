"""Failure alerts: a clear log line always, and a JSON POST to CCHC_ALERT_WEBHOOK when it is set."""

from __future__ import annotations

import json
import logging
import os
import urllib.request

log = logging.getLogger(__name__)


def failure_message(context) -> str:
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = context.get("run_id", "?")
    reason = str(exc).strip().splitlines()[0] if exc else "see the task log"
    return f"CCHC pipeline failure: {dag_id}.{task_id} ({run_id}): {reason}"


def post_webhook(payload: dict, url: str | None = None, timeout: float = 10) -> bool:
    """POST the alert; a broken webhook is logged, never raised (it must not mask the failure)."""
    url = url or os.environ.get("CCHC_ALERT_WEBHOOK")
    if not url:
        return False
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout):
            return True
    except OSError as exc:
        log.warning("could not post the alert to the webhook: %s", exc)
        return False


def alert_failure(context) -> None:
    message = failure_message(context)
    log.error("%s", message)
    post_webhook(
        {
            "text": message,
            "dag_id": getattr(context.get("dag"), "dag_id", None),
            "run_id": context.get("run_id"),
        }
    )
