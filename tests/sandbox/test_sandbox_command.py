"""`tokendeck sandbox` from the command line: base URLs, seeded users, faults and lifetimes."""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tokendeck.sandbox.command import parse_fault


def test_parse_fault() -> None:
    assert parse_fault("503") == ("503", 1, None)
    assert parse_fault("500:3") == ("500", 3, None)
    assert parse_fault("reset@0.25") == ("reset", None, 0.25)
    with pytest.raises(ValueError, match="rate"):
        parse_fault("500@2")


def _announced(*options: str) -> tuple[subprocess.Popen[str], str]:
    """`tokendeck sandbox OPTIONS` started, and what it printed up to its last line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tokendeck", "sandbox", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if line.startswith("POST <base>/__sandbox/config"):
            break
    return proc, "".join(lines)


def test_sandbox_command_serves_with_faults_and_lifetimes() -> None:
    proc, text = _announced(
        "--fault", "503:2", "--token-lifetime", "5", "--latency", "0.01", "--seed", "7"
    )
    try:
        urls = dict(re.findall(r"^  (Dataloop|Trifacta)\s+(http://127\.0\.0\.1:\d+)$", text, re.M))
        assert set(urls) == {"Dataloop", "Trifacta"}
        assert "Seeded test users" in text
        assert "Encord SSH key" in text
        spec = f"{urls['Trifacta']}/v4/open-api-spec"
        assert [httpx.get(spec).status_code for _ in range(3)] == [503, 503, 200]
        state = httpx.get(f"{urls['Dataloop']}/__sandbox/state").json()
        assert state["token_lifetime"] == 5
        assert state["latency"] == 0.01
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_sandbox_command_over_https_prints_its_throw_away_ca() -> None:
    proc, text = _announced("--tls")
    try:
        [ca_file] = re.findall(r"^HTTPS, signed by a throw-away CA: (\S+)$", text, re.M)
        [url] = re.findall(r"^  Trifacta\s+(https://127\.0\.0\.1:\d+)$", text, re.M)
        spec = f"{url}/v4/open-api-spec"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(spec)  # not trusted by anything but its own CA file
        trusted = ssl.create_default_context(cafile=ca_file)
        assert httpx.get(spec, verify=trusted).status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert not Path(ca_file).parent.exists(), "the throw-away CA and host key went with it"
