"""Importing a sheet of use cases into an account, and exporting the library as CSV or .xlsx.

The same rules as the usage imports: read and check every row first (a preview), report each bad cell as
{row, column, reason}, and import nothing unless the person chose to import only the valid rows. Every row
goes through :func:`playbooks.usecases.create_use_case`, so an imported case obeys the rules a posted one
does. Vectors for the new cases are computed by a job (one sheet can hold thousands of rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from playbooks import usecase_sheets as sheets
from playbooks.search.service import SearchFilters
from playbooks.usecases import UseCase, create_use_case, validate_use_case
from tenants.accounts import Account
from tenants.errors import N_, FieldErrors
from tenants.users import User

MAX_FILE_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 20
# create_use_case's field names -> the sheet column they came from.
_FIELD_COLUMN = {"team_id": "team"}


@dataclass
class ImportOutcome:
    """What an import did (or, with ``committed`` False, would do)."""

    imported: int = 0
    valid: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    committed: bool = False
    ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"imported": self.imported, "errors": [e.as_dict() for e in self.errors]}


def import_sheet(
    session: Session,
    account: Account,
    actor: User | None,
    data: bytes,
    filename: str | None = None,
    *,
    only_valid: bool = False,
    commit: bool = True,
) -> ImportOutcome:
    """Check every row of the sheet; with ``commit``, create the cases when all rows are valid, or only the
    valid ones when ``only_valid``. Raises :class:`sheets.SheetError` for a file that cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise sheets.SheetError(N_("The file is larger than 10 MB; split it into smaller files."))
    parsed = sheets.parse_sheet(data, filename)
    outcome = ImportOutcome(errors=list(parsed.errors))
    teams = {t.name.strip().casefold(): t.id for t in account.teams}
    ready: list[tuple[int, dict]] = []
    valid_rows = {id(r) for r in parsed.rows}
    for row in parsed.rows + parsed.invalid_rows:  # every problem of a row is reported at once
        values = dict(row.values)
        team_name = values.pop("team", "")
        values["team_id"] = teams.get(team_name.casefold()) if team_name else None
        if team_name and values["team_id"] is None:
            reason = N_("No team of this account has this name.")
            outcome.errors.append(sheets.RowError(row.row, parsed.header_of("team"), reason))
        elif id(row) in valid_rows:
            ready.append((row.row, values))
    outcome.preview = [dict(values, row=number) for number, values in ready[:PREVIEW_ROWS]]
    # Dry run of the domain rules on every row, so the preview names every problem before anything is saved.
    checked: list[tuple[int, dict]] = []
    for number, values in ready:
        problems = validate_use_case(values, account)
        for name, reason in problems.items():
            column = parsed.header_of(_FIELD_COLUMN.get(name, name))
            outcome.errors.append(sheets.RowError(number, column, reason))
        if not problems:
            checked.append((number, values))
    outcome.errors.sort(key=lambda e: (e.row, e.column))
    outcome.valid = len(checked)
    if not commit or (outcome.errors and not only_valid):
        return outcome
    # A savepoint, so that a rule only saving can see (a row failing after others were added) still leaves
    # nothing behind unless the person chose the valid rows only: all or nothing.
    savepoint = session.begin_nested()
    for number, values in checked:
        try:
            use_case = create_use_case(session, account, actor, **values)
        except FieldErrors as error:  # a rule the dry run cannot see; reported like the others
            for name, reason in error.errors.items():
                outcome.errors.append(sheets.RowError(number, parsed.header_of(name), reason))
            continue
        outcome.ids.append(use_case.id)
    if outcome.errors and not only_valid:
        savepoint.rollback()
        outcome.ids = []
        return outcome
    savepoint.commit()
    outcome.imported = len(outcome.ids)
    outcome.committed = True
    return outcome


def export_library(
    session: Session, account_ids: list[int], filters: SearchFilters, fmt: str, locale: str = "en"
) -> bytes:
    """The published cases of the accounts matching ``filters`` as CSV or .xlsx bytes."""
    rows = session.scalars(
        select(UseCase).where(UseCase.account_id.in_(account_ids), *filters.clauses()).order_by(UseCase.id)
    )
    cases = [
        {
            "id": u.id,
            "title": u.title,
            "problem": u.problem,
            "prompt": u.prompt,
            "result": u.result,
            "model_name": u.model_name,
            "used_on": u.used_on,
            "minutes_saved_per_run": u.minutes_saved_per_run,
            "runs_per_month": u.runs_per_month,
            "people": u.people,
            "team": u.team.name if u.team else "",
            "tags": list(u.tags or []),
            "stage": u.stage,
            "author": u.author.name if u.author else "",
            "source": u.source,
        }
        for u in rows
        if filters.admits(u)
    ]
    return sheets.to_xlsx(cases, locale) if fmt == "xlsx" else sheets.to_csv(cases, locale)
