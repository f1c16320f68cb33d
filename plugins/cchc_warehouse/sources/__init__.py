"""Source systems and their files: one module per system declares its files field by field.

`SPECS` maps (system, file name) to a FileSpec; `read_file` turns a file into raw records or
quarantine rejects, whatever its format.
"""

from __future__ import annotations

from cchc_warehouse.sources import docmgmt, onestop, portal
from cchc_warehouse.sources.formats import READERS, Field, FileSpec, Record, Reject, read_file

SYSTEMS: tuple[str, ...] = ("onestop", "docmgmt", "portal")
_MODULES = {"onestop": onestop, "docmgmt": docmgmt, "portal": portal}

SPECS: dict[tuple[str, str], FileSpec] = {
    (system, spec.name): spec for system, module in _MODULES.items() for spec in module.FILES
}
SYSTEM_FILES: dict[str, tuple[str, ...]] = {
    system: tuple(spec.name for spec in module.FILES) for system, module in _MODULES.items()
}
RAW_TABLES: dict[str, tuple[str, ...]] = {
    system: tuple(spec.table for spec in module.FILES) for system, module in _MODULES.items()
}

__all__ = [
    "READERS",
    "RAW_TABLES",
    "SPECS",
    "SYSTEMS",
    "SYSTEM_FILES",
    "Field",
    "FileSpec",
    "Record",
    "Reject",
    "read_file",
]
