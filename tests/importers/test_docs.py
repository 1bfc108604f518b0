"""Every import/export command and option is described in docs/importers.md."""

from __future__ import annotations

import click

from cli.importers import export_group, import_group
from directory.settings import REPO_ROOT


def test_every_command_and_option_is_documented() -> None:
    """A command or option added without documentation fails here."""
    docs = (REPO_ROOT / "docs" / "importers.md").read_text(encoding="utf-8")
    for group in (import_group, export_group):
        for name, command in group.commands.items():
            assert f"wijkgram {group.name} {name}" in docs, f"{group.name} {name} is not in docs/importers.md"
            for param in command.params:
                if isinstance(param, click.Option):
                    assert any(opt in docs for opt in param.opts), f"{group.name} {name} {param.opts}"
