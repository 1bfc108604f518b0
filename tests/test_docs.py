"""Documentation keeps up with the code: every setting and command is written down."""

from __future__ import annotations

import click
import pytest

from cli.main import cli
from directory.settings import DOCUMENTED_VARIABLES, REPO_ROOT


def _docs() -> str:
    texts = [(REPO_ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "docs").glob("*.md"))]
    return "\n".join(texts)


@pytest.mark.parametrize("variable", DOCUMENTED_VARIABLES)
def test_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in _docs(), f"{variable} is not documented in README.md or docs/"


def _commands() -> list[str]:
    names: list[str] = []

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            full = f"{prefix} {name}".strip()
            names.append(full)
            if isinstance(command, click.Group):
                walk(command, full)

    walk(cli, "")
    return names


@pytest.mark.parametrize("command", _commands())
def test_command_is_documented(command: str) -> None:
    assert f"wijkgram {command}" in _docs(), f"'wijkgram {command}' is not documented"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "scripts/demo.sh" in head
    assert "scripts/test.sh" in head
    assert "scripts/test.sh" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
