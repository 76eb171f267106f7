"""A real SMTP server for tests (aiosmtpd on a free local port): plain, STARTTLS or TLS from the start."""

import socket
import ssl
import subprocess
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content,  # bytes, as on the wire
                "tls": server._tls_protocol is not None
                or server.transport.get_extra_info("ssl_object") is not None,
                "login": getattr(session, "auth_data", None) and session.auth_data.login,
            }
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def _check_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret pass"
    return AuthResult(success=ok, auth_data=auth_data)


@contextmanager
def smtp_server(mode: str = "plain", cert: tuple[str, str] | None = None):
    """Run a server: ``plain``, ``starttls`` (STARTTLS required, AUTH LOGIN/PLAIN) or ``ssl``."""
    inbox = Inbox()
    port = free_port()
    kwargs = {}
    if mode in {"starttls", "ssl"}:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*cert)
        if mode == "starttls":
            kwargs = dict(
                tls_context=context,
                require_starttls=True,
                authenticator=_check_login,
                auth_require_tls=True,
            )
        else:
            kwargs = dict(ssl_context=context)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
