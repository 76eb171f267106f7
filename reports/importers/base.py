"""The importer registry and the result shape every importer returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

COLUMNS = ["day", "user", "team", "app", "active", "actions", "minutes_saved"]

registry: dict[str, type[Importer]] = {}


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based line of the file (the header is line 1), or the JSON line/element number
    column: str
    reason: str


@dataclass
class Result:
    format: str
    encoding: str | None
    frame: pd.DataFrame  # valid rows in COLUMNS
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # rows read, valid or not


class Importer:
    """One export format. Subclasses set ``name`` and implement ``detect`` and ``read``."""

    name: str = ""

    @classmethod
    def detect(cls, head: bytes) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:  # pragma: no cover
        raise NotImplementedError


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    registry[cls.name] = cls
    return cls


def detect(head: bytes) -> type[Importer] | None:
    """The first registered importer that recognises ``head`` (generic CSV last)."""
    ordered = sorted(registry.values(), key=lambda c: c.name == "generic")
    return next((cls for cls in ordered if cls.detect(head)), None)


def read(data: bytes, fmt: str = "auto", mapping: dict[str, str] | None = None) -> Result:
    """Read an export; ``fmt`` names the format or ``auto`` detects it (ValueError for an unknown one)."""
    cls = detect(data[:4096]) if fmt == "auto" else registry.get(fmt)
    if cls is None:
        raise ValueError("unrecognised file: not a Microsoft 365 Copilot, GitHub Copilot or CSV/Excel export")
    return cls().read(data, mapping)


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)
