"""Log lines that user text cannot forge: line breaks and control characters in logged values are escaped.

A name like ``"Acme\\nINFO user 1 is admin"`` must show up as one line with a visible ``\\n``, not as a second
log record. :class:`EscapingFilter` does this for every argument of the app's loggers; :func:`escape` is there
for values put into a message some other way.
"""

import logging

# Bidi overrides and isolates can reorder what a reader of the log sees; escape them too.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def escape(value: object) -> str:
    """``value`` as text with control, line-separator and bidi characters written as ``\\n``, ``\\x1b``…"""
    text = str(value)
    if text.isprintable() and not _BIDI.intersection(text):
        return text
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in _BIDI or not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


class EscapingFilter(logging.Filter):
    """Escapes the string arguments of every record (the message template is the programmer's, kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(escape(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: escape(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif not record.args and isinstance(record.msg, str):
            record.msg = escape(record.msg)
        return True


def install(*loggers: logging.Logger) -> None:
    """Attach the filter once to each logger."""
    for logger in loggers:
        if not any(isinstance(f, EscapingFilter) for f in logger.filters):
            logger.addFilter(EscapingFilter())
