"""Writing checked usage rows in bulk: one row per account, day, hashed person and app, the newest wins.

An import can be a million rows, so rows are not ORM objects: they go in as one multi-row upsert per batch
(``INSERT ... ON CONFLICT DO UPDATE``, which PostgreSQL and SQLite both speak), keyed by the unique
constraint, so a re-import or an overlapping period replaces rows and never counts them twice. On
PostgreSQL the rows first travel by COPY into a temporary table, the fastest way in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from reports.usage import AGGREGATE, UsageRow, hash_user
from tenants.accounts import Account

BATCH = 5_000  # rows per upsert statement on SQLite (its limit on bound parameters is 32,766)
UPDATED = ("team_id", "active", "actions", "minutes_saved", "import_id")


class Hasher:
    """hash_user with a memory: an export names the same few thousand people on every line."""

    def __init__(self, secret: str, tenant_id: int):
        self.secret, self.tenant_id = secret, tenant_id
        self.known: dict[str, str] = {}

    def __call__(self, user: str) -> str:
        if user == "(all)":
            return AGGREGATE
        if (hashed := self.known.get(user)) is None:
            hashed = self.known[user] = hash_user(self.secret, self.tenant_id, user)
        return hashed


def rows_frame(
    frame: pd.DataFrame, account: Account, import_id: int, hasher: Hasher, team_ids: dict
) -> pd.DataFrame:
    """The table's columns for the checked rows of ``frame``; a later line wins over an earlier duplicate."""
    out = pd.DataFrame(
        {
            "tenant_id": account.tenant_id,
            "account_id": account.id,
            "day": frame["day"],
            "user_hash": frame["user"].map(hasher),
            "team_id": frame["team"].map(team_ids).astype("Int64"),
            "app": frame["app"].astype(str).str.slice(0, 64),
            "active": frame["active"].astype(int),
            "actions": frame["actions"].astype(float),
            "minutes_saved": frame["minutes_saved"].astype(float),
            "import_id": import_id,
        }
    )
    return out.drop_duplicates(["day", "user_hash", "app"], keep="last")


def count_rows(session: Session, account: Account) -> int:
    return session.scalar(select(func.count(UsageRow.id)).where(UsageRow.account_id == account.id)) or 0


def upsert(session: Session, rows: pd.DataFrame) -> None:
    """Insert ``rows`` (see :func:`rows_frame`), replacing stored rows with the same account, day, person
    and app."""
    if rows.empty:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_upsert(session, rows)
    else:
        _batched_upsert(session, rows, sqlite.insert)


def _records(rows: pd.DataFrame) -> list[dict]:
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return records


def _batched_upsert(session: Session, rows: pd.DataFrame, insert: Callable) -> None:
    table = UsageRow.__table__
    for start in range(0, len(rows), BATCH):
        statement = insert(table).values(_records(rows.iloc[start : start + BATCH]))
        statement = statement.on_conflict_do_update(
            index_elements=["account_id", "day", "user_hash", "app"],
            set_={c: getattr(statement.excluded, c) for c in UPDATED},
        )
        session.execute(statement)


def _copy_upsert(session: Session, rows: pd.DataFrame) -> None:
    connection = session.connection()
    raw = connection.connection.driver_connection  # psycopg 3
    columns = list(rows.columns)
    connection.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS usage_rows_incoming (tenant_id integer, account_id integer, "
            "day date, user_hash varchar(64), team_id integer, app varchar(64), active integer, "
            "actions double precision, minutes_saved double precision, import_id integer) ON COMMIT DROP"
        )
    )
    connection.execute(text("TRUNCATE usage_rows_incoming"))
    rows = rows.assign(
        app=rows["app"].str.replace("\\", "/", regex=False).str.replace(r"[\t\r\n]", " ", regex=True)
    )
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False, na_rep="\\N", sep="\t", quoting=csv.QUOTE_NONE)
    buffer.seek(0)
    names = ", ".join(columns)
    with raw.cursor().copy(f"COPY usage_rows_incoming ({names}) FROM STDIN WITH (FORMAT text)") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATED)
    connection.execute(
        text(
            f"INSERT INTO usage_rows ({names}) SELECT {names} FROM usage_rows_incoming "
            f"ON CONFLICT (account_id, day, user_hash, app) DO UPDATE SET {updates}"
        )
    )
