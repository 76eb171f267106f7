"""Microsoft 365 Copilot usage, user detail (admin center export): one row per licensed user, a last-activity
date per app. It says who was active and in which apps, not how much time was saved."""

from __future__ import annotations

import csv

import pandas as pd

from reports.importers.base import COLUMNS, Importer, Problem, Result, register
from reports.importers.text import csv_rows, decode, parse_day, parse_text, strip_control

UPN, LAST = "User Principal Name", "Last Activity Date (UTC)"


@register
class M365CopilotUserDetail(Importer):
    name = "m365_copilot"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
        text = head.decode("utf-16" if utf16 else "utf-8-sig", errors="ignore")
        return UPN in text and "Copilot Last Activity Date" in text

    def read(self, data: bytes, mapping: dict[str, str] | None = None) -> Result:
        text, encoding = decode(data)
        lines = csv_rows(text, csv.excel)  # the admin center writes plain comma-separated UTF-8
        header = [h.strip() for h in lines[0]] if lines else []
        # One "<App> Copilot Last Activity Date (UTC)" column per app ("Copilot Chat Last Activity ..." too);
        # a duplicated header counts once (its first column).
        apps = {h: header.index(h) for h in header if h.endswith(" " + LAST)}
        user_at = header.index(UPN) if UPN in header else None
        out, problems, rows = [], [], 0
        for line, cells in enumerate(lines[1:], start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            rows += 1
            row = {h: cells[i] for h, i in apps.items() if i < len(cells)}
            user = cells[user_at].strip() if user_at is not None and user_at < len(cells) else ""
            if not user:
                problems.append(Problem(line, UPN, "the user is empty"))
                continue
            try:
                user = parse_text(user)
            except ValueError as error:
                problems.append(Problem(line, UPN, str(error)))
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
                app = (
                    strip_control(column.removesuffix(" " + LAST).removesuffix(" Copilot")).strip()
                    or "Copilot"
                )
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
