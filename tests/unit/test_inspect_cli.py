"""`tokendeck inspect`: output, exit codes, key options, and no Qt import."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import jwt

from tests.tokens import b64url, claims, hs256, rsa_pair


def _inspect(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokendeck", "inspect", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


def test_json_fields_and_exit_0() -> None:
    token, secret = hs256(claims(lifetime=7200))
    done = _inspect(token, "--json", f"--secret={secret}")  # a secret may start with "-"
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for field in ("kind", "header", "payload", "status", "expires_at", "problems", "signature"):
        assert field in report
    assert report["kind"] == "jws"
    assert report["signature"] == "verified"
    assert report["status"] == "valid"
    assert report["expires_at"].endswith("Z")


def test_expired_and_bad_signature_exit_1() -> None:
    now = int(time.time())
    expired, _ = hs256({"iat": now - 100, "exp": now - 10})
    assert _inspect(expired).returncode == 1
    token, _ = hs256(claims())
    done = _inspect(token, "--json", "--secret", "wrong")
    assert done.returncode == 1
    assert json.loads(done.stdout)["signature"] == "invalid"


def test_not_a_token_exit_2_and_stdin() -> None:
    assert _inspect("hello there, not a token").returncode == 2
    token, _ = hs256(claims())
    done = _inspect("-", stdin=f"Authorization: Bearer {token}\n")
    assert done.returncode == 0
    assert "signature not verified" in done.stdout.lower()
    assert "Payload:" in done.stdout


def test_key_file_pem(tmp_path: Path) -> None:
    key, pem = rsa_pair()
    token = jwt.encode(claims(), key, algorithm="RS256")
    (tmp_path / "pub.pem").write_text(pem)
    done = _inspect(token, "--json", "--key", str(tmp_path / "pub.pem"))
    assert json.loads(done.stdout)["signature"] == "verified"
    assert _inspect(token, "--key", str(tmp_path / "missing.pem")).returncode == 2


def test_inspect_does_not_import_qt() -> None:
    token, _ = hs256(claims())
    code = (
        "import sys; from tokendeck.cli import main; "
        f"rc = main(['inspect', '{token}', '--json']); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'; "
        "sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_secret_from_a_file_keeps_it_off_the_command_line(tmp_path: Path) -> None:
    token, secret = hs256(claims(lifetime=7200))
    (tmp_path / "hmac.txt").write_text(secret + "\n")
    done = _inspect(token, "--json", "--secret-file", str(tmp_path / "hmac.txt"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signature"] == "verified"


def test_a_bad_signature_is_one_verdict_everywhere_invalid() -> None:
    token, _ = hs256(claims(lifetime=7200))
    done = _inspect(token, "--json", "--secret", "not-the-secret")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["verdict"] == "invalid", "never 'valid' above 'signature does not match'"
    text = _inspect(token, "--secret", "not-the-secret")
    assert text.returncode == 1
    assert "Verdict:    invalid" in text.stdout
    assert "valid —" not in text.stdout.replace("invalid —", "")


def test_malformed_jwts_are_errors_never_exit_0() -> None:
    token, _ = hs256(claims())
    header, payload, signature = token.split(".")
    for broken in (
        f"{header}.{payload}.{signature}AB",  # 45 characters: no base64url has that length
        f"{header}.{payload}.{signature[:-2]}!!",  # characters base64url does not use
        f"{header}.{payload[:-1]}*.{signature}",
    ):
        done = _inspect(broken, "--json")
        assert done.returncode == 2, broken
        assert json.loads(done.stdout.splitlines()[0])["error"] == "malformed_jwt"
    blob = f"{header}.{b64url(b'just some bytes, not JSON')}.{signature}"
    done = _inspect(blob, "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["verdict"] == "invalid"


def test_claims_cannot_drive_the_terminal() -> None:
    hostile = "evil\x1b]52;c;ZXZpbA==\x07\x1b[2K\r\u202esub: admin"
    token, _ = hs256(claims(iss=hostile))
    text = _inspect(token)
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout and "\u202e" not in text.stdout
    assert "\\u001b]52;c;ZXZpbA==\\u0007" in text.stdout
    as_json = _inspect(token, "--json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert json.loads(as_json.stdout)["issuer"] == hostile


def test_a_key_that_does_not_verify_makes_the_verdict_invalid_as_the_exit_code_says() -> None:
    done = _inspect("opaque_token_value_1234", "--json", "--secret", "abcdefgh")
    report = json.loads(done.stdout)
    assert (done.returncode, report["verdict"]) == (1, "invalid")
    assert "did not verify" in report["verdict_reason"]
    token, secret = hs256(claims(lifetime=7200))
    good = _inspect(token, "--json", f"--secret={secret}")
    assert (good.returncode, json.loads(good.stdout)["verdict"]) == (0, "active")
