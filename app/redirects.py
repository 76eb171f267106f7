"""Where a 'next' parameter may send a visitor: only to a path on this site."""

from urllib.parse import urlsplit


def safe_local_path(target: str | None) -> str | None:
    """``target`` if it is a plain path on this host, else None.

    Browsers (and Werkzeug) drop tabs and newlines and read backslashes as slashes, so ``/\\t/evil.example``
    or ``/\\\\evil.example`` would leave the site; anything with control characters or backslashes is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
