"""The landing folder: discover export days, read manifest.json and verify files against it."""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cchc_warehouse.errors import DayNotReadyError, ManifestError
from cchc_warehouse.sources import SYSTEM_FILES, SYSTEMS

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    name: str
    rows: int
    sha256: str
    encoding: str


@dataclass(frozen=True)
class Manifest:
    system: str
    export_date: date
    province_code: str | None
    generated_at: datetime | None
    files: tuple[FileEntry, ...]
    raw: dict = field(compare=False, repr=False)

    def file(self, name: str) -> FileEntry:
        for entry in self.files:
            if entry.name == name:
                return entry
        raise KeyError(name)


@dataclass(frozen=True)
class DayFolder:
    system: str
    export_date: date
    path: Path

    @property
    def ready(self) -> bool:
        """A folder without manifest.json is still being written."""
        return (self.path / MANIFEST).is_file()


def day_path(landing: Path, system: str, export_date: date) -> Path:
    return Path(landing) / system / export_date.isoformat()


def discover_days(
    landing: Path, system: str, start: date | None = None, end: date | None = None
) -> list[DayFolder]:
    """Export-day folders of a system in [start, end], oldest first (ready or still being written)."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; expected one of {', '.join(SYSTEMS)}")
    root = Path(landing) / system
    if not root.is_dir():
        return []
    days = []
    for child in root.iterdir():
        try:
            d = date.fromisoformat(child.name)
        except ValueError:
            log.warning("%s: ignoring %s, not a YYYY-MM-DD export-day folder", system, child)
            continue
        if child.is_dir() and (start is None or d >= start) and (end is None or d <= end):
            days.append(DayFolder(system, d, child))
    return sorted(days, key=lambda f: f.export_date)


def read_manifest(folder: DayFolder) -> Manifest:
    """Parse and check manifest.json of a day folder (ManifestError names system, day and problem)."""
    where = {
        "system": folder.system,
        "export_date": folder.export_date.isoformat(),
        "file": MANIFEST,
    }
    path = folder.path / MANIFEST
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise DayNotReadyError(
            "no manifest.json: the day is still being written", **where
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"manifest.json is not valid JSON ({exc})", **where) from None
    if not isinstance(data, dict):
        raise ManifestError("manifest.json is not a JSON object", **where)
    if data.get("system") != folder.system:
        raise ManifestError(f"manifest says system {data.get('system')!r}", **where)
    if data.get("export_date") != folder.export_date.isoformat():
        raise ManifestError(f"manifest says export_date {data.get('export_date')!r}", **where)
    files = data.get("files")
    if not isinstance(files, list):
        raise ManifestError("manifest has no 'files' list", **where)
    entries = []
    for i, f in enumerate(files, start=1):
        try:
            rows = int(f["rows"])
            entry = FileEntry(
                str(f["name"]), rows, str(f["sha256"]).lower(), str(f.get("encoding") or "utf-8")
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(
                f"files[{i}] needs name, rows and sha256 ({exc})", **where
            ) from None
        if rows < 0:
            raise ManifestError(f"files[{i}] declares {rows} rows", **where)
        entries.append(entry)
    expected = SYSTEM_FILES[folder.system]
    names = {e.name for e in entries}
    missing = [n for n in expected if n not in names]
    if missing:
        raise ManifestError(f"manifest does not list {', '.join(missing)}", **where)
    generated_at = None
    if data.get("generated_at"):
        try:
            generated_at = datetime.fromisoformat(data["generated_at"])
        except (TypeError, ValueError):
            raise ManifestError(
                f"generated_at {data['generated_at']!r} is not ISO 8601", **where
            ) from None
    return Manifest(
        system=folder.system,
        export_date=folder.export_date,
        province_code=(str(data["province_code"]).strip() if data.get("province_code") else None),
        generated_at=generated_at,
        files=tuple(entries),
        raw=data,
    )


@dataclass(frozen=True)
class FileCheck:
    """What the pre-pass over one file found: checksum verified, encoding chosen."""

    name: str
    path: Path
    bytes: int
    sha256: str
    encoding_declared: str
    encoding: str
    note: str | None = None


def normalise_encoding(name: str) -> str:
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return name.strip().lower()


def verify_files(folder: DayFolder, manifest: Manifest) -> tuple[list[FileCheck], list[str]]:
    """Check every manifest file exists and matches its sha256; choose each text file's encoding.

    Returns the checks and the names of files present but not in the manifest (reported, not loaded).
    """
    where = {"system": folder.system, "export_date": folder.export_date.isoformat()}
    checks = []
    for entry in manifest.files:
        path = folder.path / entry.name
        if not path.is_file():
            raise ManifestError(
                "listed in manifest.json but absent from the folder", file=entry.name, **where
            )
        digest, size, utf8 = _scan(path)
        if digest != entry.sha256:
            raise ManifestError(
                f"sha256 {digest[:12]}... does not match the manifest's {entry.sha256[:12]}...; "
                "the file is damaged or was replaced after the manifest was written",
                file=entry.name,
                **where,
            )
        declared = normalise_encoding(entry.encoding)
        encoding, note = choose_encoding(declared, utf8)
        if note:
            log.warning("%s %s %s: %s", folder.system, folder.export_date, entry.name, note)
        checks.append(FileCheck(entry.name, path, size, digest, entry.encoding, encoding, note))
    listed = {e.name for e in manifest.files} | {MANIFEST}
    unlisted = sorted(p.name for p in folder.path.iterdir() if p.name not in listed)
    for name in unlisted:
        log.warning(
            "%s %s %s: present but not named in manifest.json; not loaded",
            folder.system,
            folder.export_date,
            name,
        )
    return checks, unlisted


@dataclass
class Utf8Scan:
    valid: bool = True
    bad_lines: int = 0
    non_ascii_lines: int = 0


def _scan(path: Path) -> tuple[str, int, Utf8Scan]:
    """One pass over the bytes: sha256, size, and whether they are UTF-8 (line statistics if not)."""
    h = hashlib.sha256()
    size = 0
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    scan = Utf8Scan()
    hashing = None
    # sha256 releases the GIL: the chunk is hashed on a second thread while this one checks it
    with path.open("rb") as f, ThreadPoolExecutor(1) as hasher:
        while chunk := f.read(CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(h.update, chunk)
            size += len(chunk)
            if scan.valid and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    scan.valid = False
        if hashing is not None:
            hashing.result()
    if scan.valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.valid = False
    if not scan.valid and not path.name.endswith(".xlsx"):
        with path.open("rb") as f:
            for line in f:
                if line.isascii():
                    continue
                try:
                    line.decode("utf-8")
                    scan.non_ascii_lines += 1
                except UnicodeDecodeError:
                    scan.bad_lines += 1
    return h.hexdigest(), size, scan


def choose_encoding(declared: str, scan: Utf8Scan) -> tuple[str, str | None]:
    """The encoding to read a text file with, honouring the manifest unless the bytes contradict it.

    UTF-8 validity is a strong signal (Windows-1258 text is almost never valid UTF-8), so: valid
    UTF-8 is read as UTF-8; bytes mostly invalid as UTF-8 are Windows-1258; a UTF-8 file with a
    few undecodable lines stays UTF-8 and those lines are quarantined.
    """
    utf8 = declared in ("utf-8", "utf-8-sig")
    if scan.valid:
        if utf8:
            return "utf-8", None
        return "utf-8", f"manifest declares {declared} but the bytes are valid UTF-8; read as UTF-8"
    mostly_invalid = scan.bad_lines > scan.non_ascii_lines
    if utf8 and mostly_invalid:
        return (
            "cp1258",
            f"manifest declares {declared} but the bytes are not UTF-8; read as Windows-1258",
        )
    if utf8:
        return "utf-8", None
    return declared, None
