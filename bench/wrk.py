"""Drive a server with `wrk` (Debian's compiled load generator) and read its numbers.

A Python client on this 2-core machine would eat the CPU it measures; wrk does
not. The request mix is a Lua script: a list of paths, one picked at random per
request. wrk's own summary is replaced by one JSON line (`done`), so the
figures are read exactly, not scraped from its text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_LUA = """
local paths = {%(paths)s}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p95_us":%%d,"p99_us":%%d,"max_us":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    bytes: int
    errors: int  # socket errors (connect, read, write, timeout) and non-2xx/3xx answers
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self, name: str) -> str:
        """One line of the printed table."""
        return (
            f"{name:<14} {self.rps:>8.1f} {self.p50_ms:>8.1f} {self.p95_ms:>8.1f} {self.p99_ms:>8.1f} "
            f"{self.max_ms:>8.1f} {self.errors:>7}"
        )


HEADER = (
    f"{'scenario':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
)


def wrk_binary() -> str:
    """The wrk executable, or a clear error saying how to get it."""
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install wrk (scripts/bench.sh installs it)")
    return found


def run_wrk(
    base: str, paths: list[str], *, connections: int, seconds: int, threads: int = 2, timeout_s: int = 10
) -> WrkResult:
    """Send GETs for `paths` (picked at random) to `base` for `seconds`; return the figures."""
    if not paths:
        raise ValueError("no paths to request")
    if not all(p.isascii() for p in paths):
        raise ValueError("percent-encode the paths: wrk's Lua strings take ASCII only")
    lua_paths = ",".join(json.dumps(p) for p in paths)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(_LUA % {"paths": lua_paths})
        out = subprocess.run(
            [
                wrk_binary(),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                f"--timeout={timeout_s}s",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    line = lines[-1]
    data = json.loads(line)
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )
