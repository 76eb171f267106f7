"""Microsoft 365 Copilot usage, user detail (admin center export): one row per licensed user, a last-activity
date per app. It says who was active and in which apps, not how much time was saved."""

from __future__ import annotations

import csv
import io

import pandas as pd

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import decode, parse_day

UPN, LAST = "User Principal Name", "Last Activity Date (UTC)"


@register
class M365CopilotUserDetail(Importer):
    name = "m365_copilot"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        text = head.decode("utf-8-sig", errors="ignore")
        return UPN in text and "Copilot Last Activity Date" in text

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:
        text, encoding = decode(data)
        reader = csv.DictReader(io.StringIO(text))
        # One "<App> Copilot Last Activity Date (UTC)" column per app ("Copilot Chat Last Activity ..." too).
        apps = [h for h in reader.fieldnames or [] if h.endswith(" " + LAST)]
        out, problems, rows = [], [], 0
        for line, row in enumerate(reader, start=2):
            rows += 1
            user = (row.get(UPN) or "").strip()
            if not user:
                problems.append(Problem(line, UPN, "the user is empty"))
                continue
            for column in apps:
                value = (row.get(column) or "").strip()
                if not value:
                    continue  # no activity in that app during the report period
                try:
                    day = parse_day(value)
                except ValueError as error:
                    problems.append(Problem(line, column, str(error)))
                    continue
                app = column.removesuffix(" " + LAST).removesuffix(" Copilot").strip()
                out.append(
                    {
                        "day": day,
                        "user": user,
                        "team": None,
                        "app": app,
                        "active": 1,
                        "actions": 0.0,
                        "minutes_saved": 0.0,
                    }
                )
        return Result(self.name, encoding, pd.DataFrame(out, columns=COLUMNS), problems, rows)
