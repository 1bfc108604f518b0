"""Accounts: argon2 passwords, sessions, CSRF, login rate limits, roles, API tokens, the CLI."""

from __future__ import annotations

import os
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests import factories
from tests.web.conftest import PASSWORDS, csrf_token, log_in

Client = TestClient[Any]


def first_location_id(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM location ORDER BY name LIMIT 1")).scalar_one())


def test_passwords_are_stored_as_argon2id_hashes(demo_db: Engine) -> None:
    from directory.models import User
    from web.accounts.service import authenticate

    with Session(demo_db) as s:
        user = s.scalars(select(User).where(User.username == "bram")).one()
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORDS["bram"] not in user.password_hash
        assert authenticate(s, "bram", PASSWORDS["bram"]) is not None
        assert authenticate(s, "bram", "wrong password!") is None
        assert authenticate(s, "nobody", PASSWORDS["bram"]) is None


def test_login_sets_a_fresh_httponly_lax_session_cookie(web: Client, demo_db: Engine) -> None:
    web.cookies.set("wg_session", "planted-by-an-attacker", domain="testserver.local")
    response = log_in(web, "bram")
    assert response.status_code == 303
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith("wg_session="))
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header
    first = response.cookies["wg_session"]
    assert first != "planted-by-an-attacker"
    with demo_db.connect() as conn:
        stored = conn.execute(text("SELECT id_hash FROM web_session")).scalars().all()
    assert first not in stored, "only a hash of the session id is stored"
    assert web.get("/beheer").status_code == 200

    second = log_in(web, "bram").cookies["wg_session"]
    assert second != first, "every login rotates the session id"
    web.cookies.set("wg_session", first, domain="testserver.local")
    assert web.get("/beheer", follow_redirects=False).status_code in (302, 303), "the old id is dead"


def test_logout_ends_the_session(web: Client) -> None:
    log_in(web, "bram")
    token = csrf_token(web, "/")
    assert web.post("/uitloggen", data={"_csrf_token": token}, follow_redirects=False).status_code == 303
    assert web.get("/beheer", follow_redirects=False).status_code in (302, 303)


def test_forms_without_a_valid_csrf_token_are_refused(web: Client) -> None:
    csrf_token(web)
    no_token = web.post("/inloggen", data={"username": "bram", "password": PASSWORDS["bram"]})
    assert no_token.status_code == 403
    assert "formulier is verlopen" in no_token.text
    wrong = web.post(
        "/inloggen", data={"username": "bram", "password": PASSWORDS["bram"], "_csrf_token": "forged"}
    )
    assert wrong.status_code == 403


def test_login_is_rate_limited_per_account(web: Client) -> None:
    token = csrf_token(web)
    for _ in range(5):
        bad = web.post(
            "/inloggen", data={"username": "bram", "password": "guess guess", "_csrf_token": token}
        )
        assert bad.status_code == 401
    blocked = web.post(
        "/inloggen", data={"username": "bram", "password": PASSWORDS["bram"], "_csrf_token": token}
    )
    assert blocked.status_code == 429, "even the right password waits once the account is blocked"
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert "Te vaak" in blocked.text
    assert log_in(web, "vera").status_code == 303, "other accounts are not blocked"


def test_login_is_rate_limited_per_address(web: Client) -> None:
    from web.accounts.ratelimit import LoginRateLimiter

    web.app.state.login_limiter = LoginRateLimiter(web.app.state.engine, per_account_client=5, per_client=4)
    token = csrf_token(web)
    for i in range(4):
        web.post("/inloggen", data={"username": f"guess{i}", "password": "x" * 12, "_csrf_token": token})
    assert log_in(web, "ada").status_code == 429


BROKER_GETS = ["/beheer", "/beheer/import", "/entries/location/{id}/bewerken"]
BROKER_POSTS = [
    "/entries/location/{id}/opslaan",
    "/entries/location/{id}/gecontroleerd",
    "/entries/location/{id}/herstel/1",
    "/beheer/meldingen/1/accepteren",
    "/beheer/meldingen/1/afwijzen",
]
ADMIN_GETS = ["/beheer/gebruikers"]
ADMIN_POSTS = ["/beheer/gebruikers/nieuw"]


def test_anonymous_visitors_are_sent_to_the_login_page(web: Client, demo_db: Engine) -> None:
    entry_id = first_location_id(demo_db)
    for path in BROKER_GETS + ADMIN_GETS:
        response = web.get(path.format(id=entry_id), follow_redirects=False)
        assert response.status_code in (302, 303), path
        assert response.headers["location"].startswith("/inloggen"), path
    token = csrf_token(web)
    for path in BROKER_POSTS + ADMIN_POSTS:
        response = web.post(path.format(id=entry_id), data={"_csrf_token": token, "version": "1"})
        assert response.status_code == 401, path


@pytest.mark.parametrize(
    ("user", "forbidden"),
    [("vera", (BROKER_GETS + ADMIN_GETS, BROKER_POSTS + ADMIN_POSTS)), ("bram", (ADMIN_GETS, ADMIN_POSTS))],
)
def test_weaker_roles_get_403(
    web: Client, demo_db: Engine, user: str, forbidden: tuple[list[str], list[str]]
) -> None:
    entry_id = first_location_id(demo_db)
    log_in(web, user)
    gets, posts = forbidden
    for path in gets:
        response = web.get(path.format(id=entry_id))
        assert response.status_code == 403, path
        assert "niet zien" in response.text
    token = csrf_token(web, "/")
    for path in posts:
        response = web.post(path.format(id=entry_id), data={"_csrf_token": token, "version": "1"})
        assert response.status_code == 403, path


def test_admins_reach_every_broker_and_admin_page(web: Client, demo_db: Engine) -> None:
    log_in(web, "ada")
    for path in BROKER_GETS + ADMIN_GETS:
        assert web.get(path.format(id=first_location_id(demo_db))).status_code == 200, path


def test_admin_creates_a_user_and_errors_name_the_field(web: Client) -> None:
    log_in(web, "ada")
    token = csrf_token(web, "/beheer/gebruikers")
    short = web.post(
        "/beheer/gebruikers/nieuw",
        data={"_csrf_token": token, "username": "nina", "password": "short", "role": "broker"},
    )
    assert short.status_code == 422
    # Said from the catalogue by the error's code, in the page's language (Dutch by default).
    assert 'class="field-error"' in short.text and "Kies een wachtwoord van minstens 10 tekens." in short.text
    made = web.post(
        "/beheer/gebruikers/nieuw",
        data={"_csrf_token": token, "username": "nina", "password": "a good long one", "role": "broker"},
    )
    assert made.status_code == 200 and "nina" in made.text


def test_api_writes_need_a_broker_and_reads_stay_public(demo_db: Engine) -> None:
    from web.accounts.service import create_token, create_user
    from web.app import create_app

    with Session(demo_db) as s, s.begin():
        viewer_token = create_token(s, create_user(s, "reader", "reader password", "viewer"))
        broker_token = create_token(s, create_user(s, "writer", "writer password", "broker"))
    payload = factories.location()
    with TestClient(app=create_app(demo_db)) as c:
        assert c.get("/api/v1/locations").status_code == 200
        assert c.post("/api/v1/locations", json=payload).status_code in (401, 403)
        bad = c.post("/api/v1/locations", json=payload, headers={"Authorization": "Bearer wg_not-a-token"})
        assert bad.status_code == 401
        viewer = c.post(
            "/api/v1/locations", json=payload, headers={"Authorization": f"Bearer {viewer_token}"}
        )
        assert viewer.status_code == 403
        made = c.post("/api/v1/locations", json=payload, headers={"Authorization": f"Bearer {broker_token}"})
        assert made.status_code == 201, made.text
        path = f"/api/v1/locations/{made.json()['id']}/revisions"
        revisions = c.get(path, headers={"Authorization": f"Bearer {broker_token}"}).json()
        assert revisions[0]["changed_by"] == "writer", "revisions record the token's user"
        public = c.get(path).json()
        assert public[0]["changed_by"] == "een vrijwilliger", "the public never sees a username"


def test_api_writes_with_a_session_cookie_need_the_csrf_header(web: Client) -> None:
    log_in(web, "bram")
    payload = factories.location()
    assert web.post("/api/v1/locations", json=payload).status_code == 403
    token = web.cookies.get("csrftoken")
    assert token
    made = web.post("/api/v1/locations", json=payload, headers={"X-CSRFToken": token})
    assert made.status_code == 201, made.text
    assert web.get(f"/api/v1/locations/{made.json()['id']}/revisions").json()[0]["changed_by"] == "bram"


def test_api_reads_set_no_csrf_cookie_but_pages_do(web: Client) -> None:
    """An API read renders no form: no token cookie for it; a page with forms still gets one."""
    web.cookies.clear()
    read = web.get("/api/v1/search", params={"q": "buurthuis"})
    assert read.status_code == 200 and "set-cookie" not in read.headers
    page = web.get("/inloggen")
    assert page.status_code == 200 and "csrftoken=" in page.headers.get("set-cookie", "")


def test_cli_creates_the_first_admin_and_a_token(
    database_url: str, clean_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import cli
    from directory.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(
            cli,
            ["user", "create", "--role", "admin", "--password-stdin", "anna"],
            input="a strong password\n",
        )
        assert made.exit_code == 0, made.output
        again = runner.invoke(
            cli, ["user", "create", "--password-stdin", "anna"], input="a strong password\n"
        )
        assert again.exit_code != 0 and "already exists" in again.output
        short = runner.invoke(cli, ["user", "create", "--password-stdin", "bob"], input="short\n")
        assert short.exit_code != 0 and "password" in short.output
        token = runner.invoke(cli, ["user", "token", "anna"])
        assert token.exit_code == 0
        secret = token.stdout.strip().splitlines()[0]
        assert secret.startswith("wg_")
        listed = runner.invoke(cli, ["user", "list"])
        assert "anna\tadmin\tactive" in listed.output
    finally:
        get_settings.cache_clear()
    from web.accounts.service import authenticate, user_for_token

    with Session(clean_db) as s:
        assert authenticate(s, "anna", "a strong password") is not None
        user = user_for_token(s, secret)
        assert user is not None and user.role == "admin"
    assert os.environ["DATABASE_URL"] == database_url
