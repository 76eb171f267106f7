"""Outgoing mail through a pluggable backend, chosen by ``MAIL_URL``.

- ``log`` (the embedded default): the message goes to the application log; nothing leaves the machine.
- ``file:/dir``: the log line, and one .eml file per message in ``/dir`` (the tests read those).
- ``smtp://[user:password@]host[:port]``: plain SMTP (a local relay); ``smtp+tls://`` upgrades with STARTTLS
  (and refuses a server that does not offer it); ``smtps://`` speaks TLS from the first byte (port 465).
  Query parameters: ``cafile=/path`` trusts an extra CA (a private relay), ``timeout=seconds``.

Subjects and addresses are built from text people typed (account names, emails). Header values are folded
onto one line here, whatever the forms let through, so no CR/LF can start a header of its own.
"""

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from app.logsafe import escape
from tenants.jobs import enqueue, job

log = logging.getLogger("adoptloop.mail")

# Every character a mail reader or parser may treat as a line break.
_LINE_BREAKS = dict.fromkeys(map(ord, "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"), " ")


def fold_header(value: str) -> str:
    """One header line: line breaks and other control characters become spaces."""
    value = str(value).translate(_LINE_BREAKS)
    return " ".join("".join(ch if ch.isprintable() or ch == " " else " " for ch in value).split())


def send(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message for delivery."""
    enqueue(
        deliver,
        {
            "to": fold_header(to),
            "subject": fold_header(subject),
            "body": body,
            "from": fold_header(current_app.config["MAIL_FROM"]),
        },
    )


def is_real_backend(url: str) -> bool:
    """Whether mail configured with ``url`` leaves the machine (an SMTP server), so people receive it."""
    return url.split(":", 1)[0] in SMTP_SCHEMES


def build_message(message: dict) -> EmailMessage:
    """An RFC 5322 message from the queued dict; headers are folded again (a job payload is data too).

    Optional keys: ``html`` (an HTML alternative part) and ``list_unsubscribe`` (a URL for the header).
    """
    msg = EmailMessage()
    msg["From"] = fold_header(message["from"])
    msg["To"] = fold_header(message["to"])
    msg["Subject"] = fold_header(message["subject"])
    msg["Message-ID"] = make_msgid(domain=fold_header(message["from"]).rpartition("@")[2].strip("> ") or None)
    msg.set_content(message["body"])
    if message.get("html"):  # an HTML alternative of the same text (the newsletter); text stays first
        msg.add_alternative(message["html"], subtype="html")
    if message.get("list_unsubscribe"):
        msg["List-Unsubscribe"] = f"<{fold_header(message['list_unsubscribe'])}>"
    return msg


@job("mail", timeout=60, retries=3)
def deliver(message: dict) -> str:
    """Job: hand one message to the configured backend. Returns where it went."""
    url = current_app.config["MAIL_URL"]
    msg = build_message(message)
    if is_real_backend(url):
        server = SmtpServer.from_url(url)
        server.send(msg)
        log.info("mail to %s sent through %s: %s", escape(msg["To"]), server.host, escape(msg["Subject"]))
        return f"smtp:{server.host}"
    # Log and file backends: the body is shown too (it carries the link a developer needs).
    log.info("mail to %s: %s | %s", escape(msg["To"]), escape(msg["Subject"]), escape(message["body"]))
    if url.startswith("file:"):
        outbox = Path(url.removeprefix("file:"))
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(msg.as_bytes())
        return str(path)
    return "log"


SMTP_SCHEMES = {"smtp", "smtp+tls", "smtps", "smtp+ssl"}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mail to an SMTP server, read from ``MAIL_URL``."""

    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://host:port, smtp+tls://… or smtps://…")
        security = {"smtp": "none", "smtp+tls": "starttls"}.get(parts.scheme, "ssl")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if security == "ssl" else 587 if security == "starttls" else 25),
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            cafile=query.get("cafile"),
            timeout=float(query.get("timeout", 20)),
        )

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def send(self, msg: EmailMessage) -> None:
        """Deliver ``msg``; raises on any refusal, so the job is retried or its failure is visible."""
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if self.security == "starttls":
                # starttls() raises SMTPNotSupportedError when the server does not offer it: never fall
                # back to sending a password or a sign-in link in clear text.
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(msg)
