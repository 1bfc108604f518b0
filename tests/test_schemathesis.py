"""Property-based API testing from our own OpenAPI document: no input makes the server fail.

Schemathesis generates requests for every operation, valid and invalid; no
response may be a 5xx, and (checked here) every 4xx carries a message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.live_server import live_server


def test_schemathesis_finds_no_server_errors(
    clean_db: Engine, database_url: str, output_dir: Path, broker_token: str
) -> None:
    from geo.build import build_network
    from geo.demo import DEMO_OSM

    # A real street network (the demo cut), so the reach endpoints are exercised, not just refused.
    build_network(clean_db, DEMO_OSM)
    report = output_dir / "schemathesis"
    with live_server(database_url, log_file=output_dir / "schemathesis-server.log") as base:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}/schema/openapi.json",
                "--checks",
                "not_a_server_error,problem_details_on_4xx",
                "--max-examples",
                "30",
                "--generation-deterministic",
                # As a broker, so the writes are exercised past the login check.
                "--header",
                f"Authorization: Bearer {broker_token}",
                "--request-timeout",
                "20",
                "--report",
                "junit",
                "--report-dir",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks"},
            cwd=Path(__file__).resolve().parent.parent,
        )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary
    assert "passed" in summary.lower()
