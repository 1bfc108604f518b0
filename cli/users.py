"""`wijkgram user ...`: create, list, disable, re-role and delete users; issue and revoke API tokens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.common import console, ensure_database, friendly_errors
from directory.db import session_scope
from directory.errors import InvalidInputError
from directory.models import ROLES, ApiToken, User
from directory.settings import get_settings
from web.accounts.service import create_token, create_user, revoke_tokens, set_active, set_role


def _read_password(from_stdin: bool) -> str:
    """The new password: one line from stdin, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _user(session: Session, username: str) -> User:
    """The user of that name, or a UsageError that says how to find the names."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.UsageError(f"no user {username!r}; `wijkgram user list` shows the users")
    return user


@contextmanager
def _the_user(username: str) -> Iterator[tuple[Session, User]]:
    """The named user in one transaction (committed when the block ends without an error)."""
    ensure_database()
    with session_scope() as session:
        yield session, _user(session, username)


@click.group("user")
def user_group() -> None:
    """Manage the people who log in (viewer, broker, admin)."""


@user_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="viewer",
    show_default=True,
    help="viewer: search, map, handouts, reports; broker: also edit and import; admin: also users.",
)
@click.option("--display-name", default=None, help="Shown in the public history instead of the username.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@friendly_errors
def create(username: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create a user, e.g. the first admin: wijkgram user create --role admin anna"""
    password = _read_password(password_stdin or not sys.stdin.isatty())
    ensure_database()
    try:
        with session_scope() as session:
            user = create_user(session, username, password, role)
            user.display_name = (display_name or "").strip() or None
    except InvalidInputError as exc:
        raise click.UsageError(f"{exc.field}: {exc.problem.message}") from exc
    console.print(f"[green]created[/] {role} {username}")


@user_group.command("list")
@friendly_errors
def list_users() -> None:
    """List users: name, role, active or not, display name."""
    ensure_database()
    with session_scope() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            state = "active" if user.active else "disabled"
            click.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name or ''}")


@user_group.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Let a disabled user log in again instead.")
@friendly_errors
def disable(username: str, enable: bool) -> None:
    """Stop a user from logging in; their browser sessions end at once, their tokens stop working."""
    with _the_user(username) as (session, user):
        set_active(session, user, enable)
    console.print(f"{username}: {'enabled' if enable else 'disabled, sessions ended'}")


@user_group.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@friendly_errors
def role(username: str, role: str) -> None:
    """Give a user another role; a lower one ends their browser sessions at once."""
    with _the_user(username) as (session, user):
        set_role(session, user, role)
    console.print(f"{username}: {role}")


@user_group.command("display-name")
@click.argument("username")
@click.argument("display_name", required=False, default="")
@friendly_errors
def display_name(username: str, display_name: str) -> None:
    """Set the name the public history shows for a user (none given: "een vrijwilliger")."""
    text = display_name.strip()[:80] or None
    with _the_user(username) as (_, user):
        user.display_name = text
    console.print(f"{username}: shown as {text or 'een vrijwilliger'}")


@user_group.command("delete")
@click.argument("username")
@click.confirmation_option(prompt="Delete this user, their tokens and sessions?")
@friendly_errors
def delete_user(username: str) -> None:
    """Delete a user with their tokens and sessions; their edits stay in the history."""
    with _the_user(username) as (session, user):
        session.delete(user)
    console.print(f"{username}: deleted")


class _TokenGroup(click.Group):
    """`user token NAME` still issues a token (as before); `user token revoke|list NAME` manage them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Read a first argument that is no subcommand as `create`'s username."""
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["create", *args]
        return super().parse_args(ctx, args)


@user_group.group("token", cls=_TokenGroup)
def token_group() -> None:
    """API tokens: `wijkgram user token NAME` issues one; `revoke` and `list` manage them."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for (shown in the list).")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days the token stays valid [default: WIJKGRAM_TOKEN_DAYS, 90].",
)
@friendly_errors
def token_create(username: str, name: str, days: int | None) -> None:
    """Issue an API token for a user; it is printed once, only its hash is stored."""
    days = days or get_settings().web.token_days
    with _the_user(username) as (session, user):
        secret = create_token(session, user, name, days)
    click.echo(secret)
    console.print(f"Use it as: Authorization: Bearer <token>. Valid {days} days; it is not shown again.")


@token_group.command("revoke")
@click.argument("username")
@click.option("--name", default=None, help="Only the tokens with this name [default: all of the user's].")
@friendly_errors
def token_revoke(username: str, name: str | None) -> None:
    """Revoke a user's API tokens (all, or those named with --name); they stop working at once."""
    with _the_user(username) as (session, user):
        count = revoke_tokens(session, user, name)
    console.print(f"{username}: {count} token(s) revoked")


@token_group.command("list")
@click.argument("username")
@friendly_errors
def token_list(username: str) -> None:
    """A user's API tokens: name, made, expires, last used (never the token itself)."""
    with _the_user(username) as (session, user):
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
        for row in rows:
            used: Any = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
            click.echo(
                f"{row.name}\tmade {row.created_at.isoformat(timespec='minutes')}"
                f"\texpires {row.expires_at.isoformat(timespec='minutes')}\tlast used {used}"
            )
