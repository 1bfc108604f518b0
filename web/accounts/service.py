"""Create users, check passwords, issue API tokens and web sessions.

Passwords are hashed with Argon2id (memory-hard). Session ids and API tokens
are long random strings; the database keeps only their SHA-256, so a leaked
table does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError, require_choice
from directory.models import ROLES, ApiToken, User, WebSession
from directory.reference import cached

_hasher = PasswordHasher()
#: Checked against when the user does not exist, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 10
SESSION_LIFETIME = timedelta(hours=12)
#: A token's last use is written at most this often (not on every request it makes).
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
#: Passwords people pick first; one per line, compared without case.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to allow."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str = "") -> None:
    """InvalidInputError("password", ...) for a password that is too short or too easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            "password",
            f"use at least {MIN_PASSWORD_LENGTH} characters",
            code="password_short",
            params={"min": MIN_PASSWORD_LENGTH},
        )
    lowered = password.strip().lower()
    if lowered in common_passwords() or lowered == username.strip().lower():
        raise InvalidInputError(
            "password",
            "this password is too common (or the username); choose another",
            code="password_common",
        )


def digest(secret: str) -> str:
    """SHA-256 hex of a random secret (session id, API token)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """A new active user; InvalidInputError names the field that is wrong."""
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise InvalidInputError(
            "username", "use 1-80 characters without spaces", code="username_format", params={"max": 80}
        )
    require_choice("role", role, ROLES, code="one_of")
    check_password(password, username)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InvalidInputError(
            "username",
            f"{username!r} already exists",
            code="username_taken",
            params={"value": repr(username)},
        )
    user = User(username=username, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def display_names(session: Session) -> dict[str, str | None]:
    """Every username with the name the public history shows for it (None: "een vrijwilliger").

    Kept in memory until a user is added, renamed or removed (directory/reference.py).
    """

    def load() -> dict[str, str | None]:
        return dict(session.execute(select(User.username, User.display_name)).tuples().all())

    return cached(session, "people", "display_names", load)


def list_users(session: Session) -> Sequence[User]:
    """Every user, by username."""
    return session.scalars(select(User).order_by(User.username)).all()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password and end all their sessions."""
    check_password(password, user.username)
    user.password_hash = _hasher.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def create_token(session: Session, user: User, name: str = "api", days: int = 90) -> str:
    """A new API token for the user, valid `days`; the plain token is returned once and never stored."""
    token = "wg_" + secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(days=days)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), name=name, expires_at=expires_at))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live API token belongs to, or None; notes when the token was used."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    now = datetime.now(UTC)
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return user


def revoke_tokens(session: Session, user: User, name: str | None = None) -> int:
    """Delete a user's API tokens (all, or those with this name); how many went."""
    stmt = delete(ApiToken).where(ApiToken.user_id == user.id)
    if name is not None:
        stmt = stmt.where(ApiToken.name == name)
    return session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]


def end_all_sessions(session: Session, user: User) -> int:
    """Log a user out of every browser; how many sessions ended."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return result.rowcount or 0  # type: ignore[attr-defined]


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    user.active = active
    if not active:
        end_all_sessions(session, user)


def set_role(session: Session, user: User, role: str) -> None:
    """Change a user's role; a lower role ends the user's sessions (pages held open lose their rights)."""
    require_choice("role", role, ROLES, code="one_of")
    if ROLES.index(role) < ROLES.index(user.role):
        end_all_sessions(session, user)
    user.role = role


def start_session(session: Session, user: User) -> str:
    """A fresh session id for a login (always new, so a planted id is never reused)."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(WebSession(id_hash=digest(session_id), user_id=user.id, expires_at=now + SESSION_LIFETIME))
    session.flush()
    return session_id


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user of a live session, or None."""
    row = session.get(WebSession, digest(session_id))
    if row is None or row.expires_at < datetime.now(UTC):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def end_session(session: Session, session_id: str) -> None:
    """Log a browser out."""
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(session_id)))
