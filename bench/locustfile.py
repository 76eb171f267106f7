"""The load mix for bench/load.sh: CSMs reading their portfolio, account and adoption pages and the library,
and their systems posting daily usage rows and use cases through the API.

Each simulated user signs in once as one vendor's CSM (the dataset of bench/datagen.py) and, for the API
calls, uses a write token its vendor's owner created at start-up.
"""

import itertools
import random
import re

from locust import HttpUser, between, task

PASSWORD = "bench-password"
VENDORS = 50
_next_vendor = itertools.count()
TOKENS: dict[int, str] = {}


def _sign_in(client, email: str) -> None:
    page = client.get("/login", name="/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, name="/login [POST]"
    )


def _owner_token(base: str, vendor: int) -> str:
    """A write token of ``vendor``, made the way its owner would (outside the measured requests)."""
    from requests import Session

    session = Session()
    csrf = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
    token = csrf.search(session.get(f"{base}/login").text).group(1)
    email = f"owner{vendor}@vendor{vendor}.example.com"
    session.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    token = csrf.search(session.get(f"{base}/team/api-tokens").text).group(1)
    made = session.post(
        f"{base}/team/api-tokens", data={"name": "load", "scope": "write", "csrf_token": token}
    )
    return re.search(r'value="(al_[^"]+)"', made.text).group(1)


class Csm(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.vendor = next(_next_vendor) % VENDORS
        _sign_in(self.client, f"csm{self.vendor}@vendor{self.vendor}.example.com")
        page = self.client.get("/accounts?sort=name", name="/accounts?sort=name").text
        self.accounts = [int(i) for i in re.findall(r'href="/accounts/(\d+)"', page)] or [1]
        if self.vendor not in TOKENS:
            TOKENS[self.vendor] = _owner_token(self.host, self.vendor)
        self.token = TOKENS[self.vendor]

    def _account(self) -> int:
        return random.choice(self.accounts)

    @task(4)
    def portfolio(self):
        sort = random.choice(["health", "name", "density", "seats"])
        self.client.get(f"/accounts?sort={sort}&page={random.randint(1, 2)}", name="/accounts (portfolio)")

    @task(4)
    def account_page(self):
        self.client.get(f"/accounts/{self._account()}", name="/accounts/[id]")

    @task(2)
    def adoption_page(self):
        self.client.get(f"/accounts/{self._account()}/metrics", name="/accounts/[id]/metrics")

    @task(1)
    def library(self):
        self.client.get("/library?q=議事録", name="/library?q=")

    @task(2)
    def post_usage(self):
        day = f"2026-11-{random.randint(1, 24):02d}"
        rows = [
            {"day": day, "user": f"u{random.randint(1, 900)}@load.example.jp", "minutes_saved": 10}
            for _ in range(20)
        ]
        self.client.post(
            f"/api/v1/accounts/{self._account()}/usage",
            json={"rows": rows},
            headers={"Authorization": f"Bearer {self.token}"},
            name="/api/v1/accounts/[id]/usage",
        )

    @task(1)
    def post_use_case(self):
        self.client.post(
            f"/api/v1/accounts/{self._account()}/use-cases",
            json={
                "title": f"負荷試験の事例 {random.randint(1, 10**6)}",
                "model_name": "GPT-4o",
                "used_on": "2026-11-20",
            },
            headers={"Authorization": f"Bearer {self.token}"},
            name="/api/v1/accounts/[id]/use-cases",
        )

    @task(1)
    def request_report(self):
        """A CSM asks for an ROI report: the page, then the form (the PDF is rendered by the rq worker)."""
        account = self._account()
        page = self.client.get(f"/accounts/{account}/reports", name="/accounts/[id]/reports").text
        key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', page)
        csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        if not key or not csrf:
            return
        self.client.post(
            f"/accounts/{account}/reports",
            data={
                "csrf_token": csrf.group(1),
                "request_key": key.group(1),
                "period_start": "2026-10-01",
                "period_end": "2026-10-31",
                "locale": "ja",
                "realization_rate": "50",
                "risk_adjustment": "0",
                "discount_rate": "10",
            },
            name="/accounts/[id]/reports [POST]",
        )

    @task(1)
    def notes(self):
        self.client.get(f"/accounts/{self._account()}/notes?q=議事録", name="/accounts/[id]/notes?q=")
