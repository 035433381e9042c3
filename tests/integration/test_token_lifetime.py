"""A development token's lifetime: one that would be dead on arrival is refused, not printed."""

from __future__ import annotations

import jwt
import pytest
from typer.testing import CliRunner

from meetbook.auth.tokens import issue_token
from meetbook.cli import app as cli
from meetbook.core.config import Settings, get_settings


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("MEETBOOK_ENVIRONMENT", "development")
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(cli, ["token", *args])
    get_settings.cache_clear()


@pytest.mark.parametrize("ttl", ["0", "-5"])
def test_token_command_refuses_a_lifetime_that_is_not_positive(run, ttl):
    result = run("--scope", "customer", f"--ttl={ttl}")
    assert result.exit_code == 1
    assert result.stdout == ""  # no token to copy by mistake
    assert result.stderr.strip() == f"error: a token's lifetime (ttl) must be at least 1 second, not {ttl}"


def test_token_command_issues_a_token_that_lives_its_ttl(run):
    result = run("--scope", "customer", "--ttl", "1")
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 1


def test_issue_token_refuses_it_too_whoever_calls_it():
    settings = Settings(environment="development")
    with pytest.raises(ValueError, match="at least 1 second"):
        issue_token(settings, "customer", ttl=0)
    with pytest.raises(ValueError, match="at least 1 second, not -30"):
        issue_token(settings.model_copy(update={"token_ttl_seconds": -30}), "customer")
