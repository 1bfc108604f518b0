"""Create users, check passwords, issue API tokens and web sessions.

Passwords are hashed with Argon2id (memory-hard). Session ids and API tokens
are long random strings; the database keeps only their SHA-256, so a leaked
table does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError
from web.accounts.models import ROLES, ApiToken, User, WebSession

_hasher = PasswordHasher()
#: Checked against when the user does not exist, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 10
SESSION_LIFETIME = timedelta(hours=12)


def digest(secret: str) -> str:
    """SHA-256 hex of a random secret (session id, API token)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """A new active user; InvalidInputError names the field that is wrong."""
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise InvalidInputError("username", "use 1-80 characters without spaces")
    if role not in ROLES:
        raise InvalidInputError("role", f"choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InvalidInputError("username", f"{username!r} already exists")
    user = User(username=username, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def create_token(session: Session, user: User, name: str = "api") -> str:
    """A new API token for the user; the plain token is returned once and never stored."""
    token = "wg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user an API token belongs to, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


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
