"""Tests that need the shared data cannot hide behind a skip in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import find_shared_data


def test_missing_shared_data_fails_under_ci(settings_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings_env.setenv("WIJKGRAM_SHARED_DATA", str(tmp_path / "nothing here"))
    settings_env.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI the shared data must be there"):
        find_shared_data()


def test_missing_shared_data_skips_on_a_developers_machine(
    settings_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_env.setenv("WIJKGRAM_SHARED_DATA", str(tmp_path / "nothing here"))
    settings_env.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared data not found"):
        find_shared_data()


def test_present_shared_data_is_found(settings_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.md").write_text("# test data\n", encoding="utf-8")
    settings_env.setenv("WIJKGRAM_SHARED_DATA", str(tmp_path))
    settings_env.setenv("CI", "true")
    assert find_shared_data() == tmp_path
