"""`wijkgram user ...`: create users (the first admin), list them, and issue API tokens."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from cli.common import console, ensure_database, friendly_errors
from directory.db import session_scope
from directory.errors import InvalidInputError
from web.accounts.models import ROLES, User
from web.accounts.service import create_token, create_user


def _read_password(from_stdin: bool) -> str:
    """The new password: one line from stdin, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


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
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@friendly_errors
def create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user, e.g. the first admin: wijkgram user create --role admin anna"""
    password = _read_password(password_stdin or not sys.stdin.isatty())
    ensure_database()
    try:
        with session_scope() as session:
            create_user(session, username, password, role)
    except InvalidInputError as exc:
        raise click.UsageError(f"{exc.field}: {exc.message.split(': ', 1)[-1]}") from exc
    console.print(f"[green]created[/] {role} {username}")


@user_group.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for (shown in the list).")
@friendly_errors
def token(username: str, name: str) -> None:
    """Issue an API token for a user; it is printed once, only its hash is stored."""
    ensure_database()
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}; create it first with `wijkgram user create`")
        secret = create_token(session, user, name)
    click.echo(secret)
    console.print("Use it as: Authorization: Bearer <token>. It is not shown again.")


@user_group.command("list")
@friendly_errors
def list_users() -> None:
    """List users and their roles."""
    ensure_database()
    with session_scope() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            click.echo(f"{user.username}\t{user.role}\t{'active' if user.active else 'inactive'}")
