"""Account administration and what the public may learn about the people behind the directory.

Attacks repeated here: collecting brokers' usernames from the public history, reading a
deleted entry's contacts from its revisions, using a disabled account's session or an
expired token, and choosing a password everyone tries first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from tests import factories
from tests.web.conftest import log_in

Client = TestClient[Any]


@pytest.fixture
def cli_env(database_url: str, clean_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    from directory.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _broker_edit(web: Client) -> str:
    """bram (a broker) creates a location through the API with his session; its id."""
    log_in(web, "bram")
    csrf = web.cookies.get("csrftoken") or ""
    made = web.post("/api/v1/locations", json=factories.location(), headers={"x-csrftoken": csrf})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_public_history_shows_no_usernames(web: Client, demo_db: Engine, cli_env: CliRunner) -> None:
    entry_id = _broker_edit(web)
    web.cookies.clear()
    page = web.get(f"/entries/location/{entry_id}")
    assert page.status_code == 200
    assert "bram" not in page.text and "een vrijwilliger" in page.text
    api = web.get(f"/api/v1/locations/{entry_id}/revisions").json()
    assert api[0]["changed_by"] == "een vrijwilliger"
    provenance = web.get(f"/api/v1/locations/{entry_id}").json()["field_provenance"]
    assert provenance and all(p["by"] != "bram" for p in provenance.values())
    english = web.get(f"/entries/location/{entry_id}?lang=en")
    assert "a volunteer" in english.text and "bram" not in english.text

    from cli.main import cli

    named = CliRunner().invoke(cli, ["user", "display-name", "bram", "Bram (buurtteam)"])
    assert named.exit_code == 0, named.output
    assert "Bram (buurtteam)" in web.get(f"/entries/location/{entry_id}").text

    log_in(web, "bram")
    assert web.get(f"/api/v1/locations/{entry_id}/revisions").json()[0]["changed_by"] == "bram", (
        "brokers still see who it was"
    )


def test_deleted_entry_history_is_for_brokers_only(web: Client, demo_db: Engine) -> None:
    entry_id = _broker_edit(web)
    csrf = web.cookies.get("csrftoken") or ""
    gone = web.delete(f"/api/v1/locations/{entry_id}?version=1", headers={"x-csrftoken": csrf})
    assert gone.status_code == 204, gone.text
    assert web.get(f"/api/v1/locations/{entry_id}/revisions").status_code == 200, "a broker may restore it"
    web.cookies.clear()
    anonymous = web.get(f"/api/v1/locations/{entry_id}/revisions")
    assert anonymous.status_code == 404
    log_in(web, "vera")
    assert web.get(f"/api/v1/locations/{entry_id}/revisions").status_code == 404, "viewers neither"


def test_disabling_or_demoting_ends_sessions_at_once(
    web: Client, demo_db: Engine, cli_env: CliRunner
) -> None:
    from cli.main import cli

    log_in(web, "bram")
    assert web.get("/beheer").status_code == 200
    demoted = cli_env.invoke(cli, ["user", "role", "bram", "viewer"])
    assert demoted.exit_code == 0, demoted.output
    assert web.get("/beheer", follow_redirects=False).status_code in (302, 303), "the session ended"
    with demo_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_session")).scalar_one() == 0

    log_in(web, "ada")
    assert web.get("/beheer/gebruikers").status_code == 200
    disabled = cli_env.invoke(cli, ["user", "disable", "ada"])
    assert disabled.exit_code == 0, disabled.output
    assert web.get("/beheer/gebruikers", follow_redirects=False).status_code in (302, 303)
    assert log_in(web, "ada").status_code == 401, "a disabled account cannot log in"
    assert cli_env.invoke(cli, ["user", "disable", "--enable", "ada"]).exit_code == 0
    assert log_in(web, "ada").status_code == 303


def test_tokens_expire_record_their_use_and_can_be_revoked(demo_db: Engine, cli_env: CliRunner) -> None:
    from cli.main import cli
    from directory.models import ApiToken
    from web.app import create_app

    made = cli_env.invoke(cli, ["user", "token", "bram", "--days", "30", "--name", "laptop"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[0]
    with Session(demo_db) as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.last_used_at is None
        assert timedelta(days=29) < row.expires_at - datetime.now(UTC) <= timedelta(days=30)

    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(app=create_app(demo_db)) as c:
        assert c.post("/api/v1/locations", json=factories.location(), headers=auth).status_code == 201
        with Session(demo_db) as s:
            assert s.scalars(select(ApiToken)).one().last_used_at is not None, "last use recorded"
        listed = cli_env.invoke(cli, ["user", "token", "list", "bram"])
        assert "laptop" in listed.output and "last used never" not in listed.output

        with demo_db.begin() as conn:
            conn.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        assert c.post("/api/v1/locations", json=factories.location(), headers=auth).status_code == 401

        with demo_db.begin() as conn:
            conn.execute(update(ApiToken).values(expires_at=datetime.now(UTC) + timedelta(days=1)))
        revoked = cli_env.invoke(cli, ["user", "token", "revoke", "bram"])
        assert revoked.exit_code == 0 and "1 token(s) revoked" in revoked.output
        assert c.post("/api/v1/locations", json=factories.location(), headers=auth).status_code == 401


def test_user_delete_keeps_the_history(web: Client, demo_db: Engine, cli_env: CliRunner) -> None:
    from cli.main import cli

    entry_id = _broker_edit(web)
    deleted = cli_env.invoke(cli, ["user", "delete", "--yes", "bram"])
    assert deleted.exit_code == 0, deleted.output
    with demo_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM app_user WHERE username = 'bram'")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM web_session")).scalar_one() == 0
    web.cookies.clear()
    history = web.get(f"/api/v1/locations/{entry_id}/revisions").json()
    assert history[0]["changed_by"] == "een vrijwilliger", "a deleted user's name stays hidden"
    assert cli_env.invoke(cli, ["user", "role", "bram", "admin"]).exit_code != 0


@pytest.mark.parametrize(
    "password", ["wachtwoord123", "Welkom12345", "qwertyuiop", "1234567890", "P@ssw0rd123"]
)
def test_common_passwords_are_refused(password: str, clean_db: Engine) -> None:
    from directory.errors import InvalidInputError
    from web.accounts.service import create_user

    with Session(clean_db) as s:
        with pytest.raises(InvalidInputError, match="too common"):
            create_user(s, "carla", password, "viewer")
        with pytest.raises(InvalidInputError, match="too common"):
            create_user(s, "carla.de.vries", "Carla.de.Vries", "viewer")
        assert create_user(s, "carla", "kastanjeboom aan de gracht", "viewer").id
