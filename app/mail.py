"""Outgoing mail through a pluggable backend.

No mail server exists in development or CI, so the default backend writes each message to the log;
``file:/dir`` additionally drops an .eml file per message (the tests read those).
"""

import logging
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from tenants.jobs import enqueue, job

log = logging.getLogger("adoptloop.mail")


def send(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message for delivery."""
    enqueue(deliver, {"to": to, "subject": subject, "body": body, "from": current_app.config["MAIL_FROM"]})


@job("mail", timeout=60, retries=3)
def deliver(message: dict) -> str:
    """Job: hand one message to the configured backend. Returns where it went."""
    backend = current_app.config["MAIL_BACKEND"]
    log.info("mail to %s: %s\n%s", message["to"], message["subject"], message["body"])
    if backend.startswith("file:"):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = message["from"], message["to"], message["subject"]
        msg.set_content(message["body"])
        outbox = Path(backend.removeprefix("file:"))
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(msg.as_bytes())
        return str(path)
    return "log"
