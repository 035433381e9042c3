"""Where e-mail goes, as an operator writes it: MEETBOOK_SMTP_URL and MEETBOOK_MAIL_FROM."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from meetbook.core.config import Settings
from meetbook.notifications.transport import SmtpServer

STRONG = "x" * 40


def test_the_smtp_url_forms():
    plain = SmtpServer.from_url("smtp://mail.bank.example")
    assert (plain.host, plain.port, plain.use_tls, plain.start_tls, plain.username) == ("mail.bank.example", 25, False, False, None)
    tls = SmtpServer.from_url("smtps://bookings%40bank:p%40ss@mail.bank.example")
    assert (tls.port, tls.use_tls, tls.username, tls.password) == (465, True, "bookings@bank", "p@ss")
    starttls = SmtpServer.from_url("smtp://u:p@mail.bank.example?starttls=true&verify=false")
    assert (starttls.port, starttls.start_tls, starttls.validate_certs) == (587, True, False)
    assert "p@ss" not in repr(tls) and "p@ss" not in str(tls)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://mail.bank.example", "smtp://host:port"),
        ("smtp://", "smtp://host:port"),
        ("smtps://mail.bank.example?starttls=true", "smtps is TLS already"),
        ("smtp://mail.bank.example?tls=yes", "unknown option"),
        ("smtp://mail.bank.example:99999", "port"),
    ],
)
def test_a_wrong_smtp_url_says_how_to_write_it(url, words):
    with pytest.raises(ValueError, match=words):
        SmtpServer.from_url(url)


def test_settings_refuse_what_cannot_send():
    with pytest.raises(ValidationError, match="MEETBOOK_SMTP_URL must be"):
        Settings(environment="development", smtp_url="mail.bank.example:25")
    with pytest.raises(ValidationError, match="bare e-mail address"):
        Settings(environment="development", mail_from="Bank <bookings@bank.example>")
    # Outside development an SMTP server needs the bank's own mailbox as the organizer.
    with pytest.raises(ValidationError, match="MEETBOOK_MAIL_FROM"):
        Settings(environment="production", auth_secret=STRONG, smtp_url="smtp://mail.bank.example")
    ok = Settings(environment="production", auth_secret=STRONG, smtp_url="smtp://mail.bank.example", mail_from="bookings@bank.example")
    assert ok.message_domain == "bank.example"
