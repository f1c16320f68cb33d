"""Logging set-up shared by the CLI and Airflow tasks: quiet the chatty libraries."""

from __future__ import annotations

import logging
import os

NOISY = (
    "great_expectations",
    "pgserver",
    "fasteners",
    "urllib3",
    "alembic",
    "sqlalchemy.engine",
    "matplotlib",
    "PIL",
)


def quiet_libraries() -> None:
    """Keep libraries that log a line per internal step at WARNING.

    Great Expectations logs hundreds of lines while importing, so this must run before it is
    imported (the package does it on import).
    """
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
