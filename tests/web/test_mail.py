"""Real mail: the SMTP backend against a local aiosmtpd server; headers and logs user text cannot forge."""

import logging
import smtplib
from email import message_from_bytes, policy

import pytest

from app.mail import SmtpServer, deliver, fold_header
from tests.factories import PASSWORD, make_world
from tests.helpers import login, post
from tests.web.smtp_server import self_signed_cert, smtp_server


def message(**overrides) -> dict:
    values = {
        "to": "aiko@client.example.jp",
        "from": "AdoptLoop <no-reply@adoptloop.example.com>",
        "subject": "招待: 株式会社さくら製作所",
        "body": "こんにちは\nhttps://adoptloop.example.com/invite/abc\n",
    }
    values.update(overrides)
    return values


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


def test_smtp_backend_delivers_through_a_local_server(app, monkeypatch):
    with smtp_server("plain") as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{port}")
        with app.app_context():
            assert deliver(message()) == "smtp:127.0.0.1"
    [got] = inbox.messages
    assert got["to"] == ["aiko@client.example.jp"] and got["from"] == "no-reply@adoptloop.example.com"
    parsed = message_from_bytes(got["data"], policy=policy.default)
    assert parsed.get_content().startswith("こんにちは")
    assert parsed["Subject"] == "招待: 株式会社さくら製作所"


def test_smtp_starttls_upgrades_before_it_logs_in(app, monkeypatch, cert):
    with smtp_server("starttls", cert) as (inbox, port):
        url = f"smtp+tls://mailer:s3cret%20pass@127.0.0.1:{port}?cafile={cert[0]}"
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        with app.app_context():
            deliver(message())
    [got] = inbox.messages
    assert got["tls"] is True and got["login"] == b"mailer"


def test_smtps_speaks_tls_from_the_first_byte(app, monkeypatch, cert):
    with smtp_server("ssl", cert) as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtps://127.0.0.1:{port}?cafile={cert[0]}")
        with app.app_context():
            deliver(message())
    assert [m["tls"] for m in inbox.messages] == [True]


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(app, monkeypatch):
    with smtp_server("plain") as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp+tls://u:p@127.0.0.1:{port}")
        with app.app_context(), pytest.raises(smtplib.SMTPNotSupportedError):
            deliver(message())
    assert inbox.messages == []


def test_smtp_url_is_read_with_defaults():
    server = SmtpServer.from_url("smtps://mail.example.com")
    assert (server.host, server.port, server.security) == ("mail.example.com", 465, "ssl")
    assert SmtpServer.from_url("smtp+tls://a%40b:p%2Fw@relay:2525").username == "a@b"
    assert SmtpServer.from_url("smtp+tls://a%40b:p%2Fw@relay:2525").password == "p/w"
    with pytest.raises(ValueError):
        SmtpServer.from_url("http://mail.example.com")


def test_crlf_in_a_subject_cannot_add_a_header(app, monkeypatch):
    evil = "Welcome\r\nBcc: victim@evil.example\r\n\r\nfake body"
    with smtp_server("plain") as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{port}")
        with app.app_context():
            deliver(message(subject=evil, to="aiko@client.example.jp\nCc: other@evil.example"))
    [got] = inbox.messages
    parsed = message_from_bytes(got["data"], policy=policy.default)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert parsed["Subject"] == "Welcome Bcc: victim@evil.example fake body"
    assert "victim@evil.example" not in got["to"] and "other@evil.example" not in " ".join(got["to"])
    assert fold_header("a\u2028b\x85c") == "a b c"


def test_crlf_in_an_account_name_is_refused_by_the_form(app, client):
    world = make_world(app, "mail")
    login(client, world.email("csm"), PASSWORD)
    response = post(
        client,
        "/accounts/new",
        {
            "name": "Evil\r\nBcc: victim@evil.example",
            "industry": "other",
            "licensed_seats": "10",
            "monthly_spend_yen": "1000",
            "hourly_labor_cost_yen": "4000",
            "kickoff_date": "2026-12-01",
            "teams-0-name": "Ops",
            "teams-0-headcount": "5",
            "admin_email": "admin@client.example.jp",
            "admin_locale": "en",
        },
    )
    assert response.status_code == 422
    assert "Use a single line here." in response.get_data(as_text=True)


def test_log_lines_escape_user_text(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_URL", "log")
    caplog.set_level(logging.INFO)
    with app.app_context():
        deliver(message(subject="hello\nERROR adoptloop: forged line"))
        app.logger.info("user typed %s", "Acme\r\nCRITICAL forged")
    lines = [r.getMessage() for r in caplog.records]
    assert any("mail to aiko@client.example.jp: hello" in line for line in lines)
    assert "user typed Acme\\r\\nCRITICAL forged" in lines
    assert not any("\nERROR adoptloop" in line or "\nCRITICAL" in line for line in lines)
