"""Playbooks as versioned data: the YAML schema, the loader, and the playbooks shipped in playbooks/shipped/.

A playbook file is validated by pydantic; every problem is reported as ``file: key.path: reason`` so the
person who wrote the file (us for shipped ones, a vendor owner for uploads) can go straight to the key. The
app refuses to start when a shipped playbook is broken (:func:`check_shipped`, called from ``create_app``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from playbooks.recurrence import RECURRENCES

SHIPPED_DIR = Path(__file__).parent / "shipped"
OWNER_ROLES = ("csm", "client_admin", "champion")
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
MAX_FILE_BYTES = 256 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both product languages; neither may be empty."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        """The text in ``locale`` (English for any other language)."""
        return self.ja if locale == "ja" else self.en


class Artefact(_Strict):
    """Something a task needs: a template, a rubric, an agenda."""

    key: str = Field(pattern=KEY_PATTERN)
    title: Text
    body: Text | None = None


class TaskSpec(_Strict):
    """One task of a phase: who does it, when it is due relative to kickoff, what to do and why."""

    key: str = Field(pattern=KEY_PATTERN)
    owner: Literal["csm", "client_admin", "champion"]
    title: Text
    description: Text
    offset_days: int = Field(default=0, ge=0, le=3660)
    offset_months: int = Field(default=0, ge=0, le=120)
    recurrence: str = "once"
    artefacts: tuple[Artefact, ...] = ()

    @field_validator("recurrence")
    @classmethod
    def _known_recurrence(cls, value: str) -> str:
        if value not in RECURRENCES:
            raise ValueError(f"unknown recurrence {value!r}; use one of {', '.join(RECURRENCES)}")
        return value

    @property
    def recurring(self) -> bool:
        """True when the task repeats (monthly, semiannual) rather than being due once."""
        return self.recurrence != "once"


class PhaseSpec(_Strict):
    """A stage of a playbook (e.g. "first month"); progress is shown per phase."""

    key: str = Field(pattern=KEY_PATTERN)
    title: Text
    tasks: tuple[TaskSpec, ...]

    @field_validator("tasks")
    @classmethod
    def _has_tasks(cls, value: tuple) -> tuple:
        if not value:
            raise ValueError("a phase needs at least one task")
        return value


class PlaybookSpec(_Strict):
    """A whole playbook file."""

    key: str = Field(pattern=KEY_PATTERN)
    version: int = Field(ge=1)
    title: Text
    summary: Text
    phases: tuple[PhaseSpec, ...]

    @field_validator("phases")
    @classmethod
    def _has_phases(cls, value: tuple) -> tuple:
        if not value:
            raise ValueError("a playbook needs at least one phase")
        return value

    @model_validator(mode="after")
    def _unique_keys(self) -> PlaybookSpec:
        seen_phases: set[str] = set()
        seen_tasks: dict[str, str] = {}
        for p, phase in enumerate(self.phases):
            if phase.key in seen_phases:
                raise _KeyError(f"phases.{p}.key", f"duplicated phase key {phase.key!r}")
            seen_phases.add(phase.key)
            for t, task in enumerate(phase.tasks):
                where = f"phases.{p}.tasks.{t}.key"
                if task.key in seen_tasks:
                    first = seen_tasks[task.key]
                    raise _KeyError(where, f"duplicated task key {task.key!r} (first at {first})")
                seen_tasks[task.key] = where
        return self

    def tasks(self) -> list[tuple[PhaseSpec, TaskSpec]]:
        """Every task with its phase, in file order."""
        return [(phase, task) for phase in self.phases for task in phase.tasks]

    def task(self, key: str) -> TaskSpec | None:
        """The task with ``key``, if the playbook has one."""
        return next((task for _, task in self.tasks() if task.key == key), None)


class _KeyError(ValueError):
    """A rule about the whole file that points at one key; reported with that key's path."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """One reason a playbook file is rejected."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(file)'}: {self.reason}"


class PlaybookFileError(ValueError):
    """A playbook file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def parse(text: str | bytes, file: str = "<upload>") -> PlaybookSpec:
    """Validate a playbook's YAML text; raise :class:`PlaybookFileError` naming file, key path and reason."""
    if len(text) > MAX_FILE_BYTES:
        raise PlaybookFileError([Problem(file, "", f"file is larger than {MAX_FILE_BYTES // 1024} KB")])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlaybookFileError([Problem(file, where, f"not valid YAML: {reason}")]) from None
    except UnicodeDecodeError:
        raise PlaybookFileError([Problem(file, "", "not UTF-8 text")]) from None
    if not isinstance(data, dict):
        raise PlaybookFileError([Problem(file, "", "expected a mapping with key, version, title, phases")])
    try:
        return PlaybookSpec.model_validate(data)
    except ValidationError as exc:
        raise PlaybookFileError([_problem(file, err) for err in exc.errors()]) from None


def _problem(file: str, err: dict) -> Problem:
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _KeyError):
        return Problem(file, cause.path, cause.reason)
    path = ".".join(str(part) for part in err["loc"])
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "literal_error" and err["loc"][-1] == "owner":
        reason = f"unknown owner role {err.get('input')!r}; use one of {', '.join(OWNER_ROLES)}"
    elif err["type"] == "extra_forbidden":
        reason = "unknown key"
    return Problem(file, path, reason)


def load_file(path: Path) -> PlaybookSpec:
    """Read and validate one playbook file."""
    return parse(path.read_bytes(), file=path.name)


@cache
def shipped() -> dict[str, PlaybookSpec]:
    """The playbooks shipped with AdoptLoop by key (read once per process)."""
    specs: dict[str, PlaybookSpec] = {}
    problems: list[Problem] = []
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        try:
            spec = load_file(path)
        except PlaybookFileError as exc:
            problems += exc.problems
            continue
        if spec.key in specs:
            problems.append(Problem(path.name, "key", f"playbook key {spec.key!r} is shipped twice"))
        specs[spec.key] = spec
    if problems:
        raise PlaybookFileError(problems)
    return specs


def check_shipped() -> None:
    """Raise :class:`PlaybookFileError` when a shipped playbook is broken (the app then refuses to start)."""
    shipped.cache_clear()
    shipped()
