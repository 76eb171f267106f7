"""PDF rendering with WeasyPrint, locked down: it renders only our own templates and assets.

The URL fetcher serves ``data:`` URIs (inline charts) and files under ``reports/assets`` through the
``asset:`` scheme, and refuses everything else — ``file://``, http(s), and anything user text could point at —
so a use-case title like ``<img src="file:///etc/passwd">`` (already escaped by the template) could never
make the renderer read a file or call the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_SCHEME = "asset:"


class RefusedURL(ValueError):
    """A URL the report renderer does not fetch."""


class ReportURLFetcher(URLFetcher):
    """Serves ``data:`` and ``asset:NAME``; records and refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(ASSET_SCHEME):
            name = url.removeprefix(ASSET_SCHEME)
            path = (ASSETS / name).resolve()
            if path.parent != ASSETS or not path.is_file():
                self.refused.append(url)
                raise RefusedURL(f"no such report asset: {name}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        self.refused.append(url)
        raise RefusedURL(f"reports fetch nothing outside their own assets: {url[:80]}")


def _content_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix, "text/plain")


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str]  # URLs the fetcher refused (normally none)


def html_to_pdf(html: str) -> Rendered:
    """Render ``html`` to a PDF."""
    fetcher = ReportURLFetcher()
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages), refused=fetcher.refused)
