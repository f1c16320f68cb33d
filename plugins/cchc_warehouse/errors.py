"""The package's exceptions: each carries where the problem is (system, day, file, line, field)."""

from __future__ import annotations


class CchcError(Exception):
    """Base class: `str()` is one readable line a data engineer can act on."""

    def __init__(
        self,
        message: str,
        *,
        system: str | None = None,
        export_date: str | None = None,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.export_date = export_date
        self.file = file
        self.line = line
        self.field = field

    def where(self) -> str:
        parts = []
        if self.system:
            parts.append(self.system)
        if self.export_date:
            parts.append(str(self.export_date))
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.field:
            parts.append(f"field {self.field}")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class WarehouseError(CchcError):
    """The warehouse cannot be reached or bootstrapped."""


class ManifestError(CchcError):
    """manifest.json is missing, unreadable, or does not match the files (fails the day's batch)."""


class SourceFormatError(CchcError):
    """A file cannot be read as its contract says (fails the file, or the day's batch)."""


class SchemaBreakError(SourceFormatError):
    """A required column is missing or renamed: the system's load stops."""


class QualityError(CchcError):
    """A critical Great Expectations check failed: the batch is not published."""


class ReconciliationError(CchcError):
    """rows_declared != rows_loaded + rows_quarantined for a file."""


class DayNotReadyError(ManifestError):
    """The day folder has no manifest.json yet: it is still being written (not a failure)."""
