"""GitHub Copilot metrics: the legacy daily JSON array (endpoints shut down on 2026-04-02, downloads remain)
and the current NDJSON usage metrics (one object per line). Unknown keys are ignored, never an error."""

from __future__ import annotations

import json

import pandas as pd

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import decode, parse_count, parse_day, parse_number, parse_text

ACTIVITY_KEYS = ("user_initiated_interaction_count", "code_generation_activity_count")


def _suggestions(node) -> float:
    """Total code suggestions anywhere under a legacy day object (editors -> models -> languages)."""
    if isinstance(node, dict):
        own = (
            node.get("total_code_suggestions", 0)
            if isinstance(node.get("total_code_suggestions"), int)
            else 0
        )
        return own + sum(_suggestions(v) for k, v in node.items() if isinstance(v, dict | list))
    if isinstance(node, list):
        return sum(_suggestions(v) for v in node)
    return 0


@register
class GitHubCopilotMetrics(Importer):
    name = "github_copilot"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
        text = head.decode("utf-16" if utf16 else "utf-8-sig", errors="ignore").lstrip()
        return text[:1] in "[{" and ('"total_active_users"' in text or '"day"' in text)

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:
        try:
            return self._read(data)
        except RecursionError:  # [[[[... nested deeper than any export: refuse the file, not the worker
            raise ValueError("malformed JSON: nested too deeply") from None

    def _read(self, data: bytes) -> Result:
        text, encoding = decode(data)
        stripped = text.lstrip()
        if stripped.startswith("["):
            try:
                items = list(enumerate(json.loads(stripped), start=1))
            except json.JSONDecodeError as error:
                return Result(
                    self.name,
                    encoding,
                    pd.DataFrame(columns=COLUMNS),
                    [Problem(error.lineno, "", f"malformed JSON: {error.msg}")],
                )
        else:
            items, problems = [], []
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        items.append((n, json.loads(line)))
                    except json.JSONDecodeError as error:
                        problems.append(Problem(n, "", f"malformed JSON: {error.msg}"))
            if problems:
                return Result(self.name, encoding, pd.DataFrame(columns=COLUMNS), problems, len(items))
        out, problems = [], []
        for n, item in items:
            if not isinstance(item, dict):
                problems.append(Problem(n, "", "expected an object"))
                continue
            key = "date" if "date" in item else "day"
            try:
                day = parse_day(item.get(key, ""))
            except ValueError as error:
                problems.append(Problem(n, key, str(error)))
                continue
            legacy = "total_active_users" in item  # legacy: one aggregate per day
            try:
                active = parse_count(item.get("total_active_users") or 0) if legacy else 1
                actions = (
                    parse_number(_suggestions(item))
                    if legacy
                    else sum(parse_number(item.get(k) or 0) for k in ACTIVITY_KEYS)
                )
            except (ValueError, TypeError) as error:
                problems.append(Problem(n, "total_active_users" if legacy else "", str(error)))
                continue
            user = "(all)" if legacy else item.get("user_login") or item.get("user") or "(all)"
            try:
                if not isinstance(user, str | int) or isinstance(user, bool):
                    raise ValueError("not a user name")
                user = parse_text(user, required=True)
            except ValueError as error:
                problems.append(Problem(n, "user_login", str(error)))
                continue
            out.append(
                {
                    "day": day,
                    "user": user,
                    "team": None,
                    "app": "github_copilot",
                    "active": active,
                    "actions": actions,
                    "minutes_saved": 0.0,
                }
            )
        return Result(self.name, encoding, pd.DataFrame(out, columns=COLUMNS), problems, len(items))
