"""Great Expectations suites as code: one module per raw table, plus the checkpoints per system.

Each table module (``onestop_hoso.py`` ...) declares ``TABLE``, ``SYSTEM``, ``FILE``, ``COLUMNS``,
``KEYS``, ``VOLUME_BAND`` and ``expectations()``, which returns the suite's GX expectations, each
tagged ``critical`` (the batch is not published) or ``warning`` (logged and in Data Docs).
``cchc_warehouse.quality`` loads this folder as the package ``cchc_expectations`` and runs the
suites on one load batch's rows, in the database. Importing this package does not import GX.
"""

from __future__ import annotations

import logging
import os

#: the table modules, in load order (system by system, as the loader's specs list them)
TABLE_MODULES: tuple[str, ...] = (
    "onestop_hoso",
    "onestop_quatrinh",
    "docmgmt_vanban",
    "docmgmt_noinhan",
    "docmgmt_trangthai",
    "portal_coquan",
    "portal_thutuc",
    "portal_thanhtoan",
    "portal_danhgia",
)


def quiet_gx() -> None:
    """GX logs hundreds of INFO lines at import and sends usage statistics: neither, please.

    Must run before `great_expectations` is first imported (the analytics switch is read then).
    """
    for name in ("great_expectations", "great_expectations.core", "posthog"):
        logging.getLogger(name).setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


quiet_gx()
