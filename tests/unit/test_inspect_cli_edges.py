"""`tokendeck inspect` ends with an exit code and sentences, never a traceback, whatever it reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.tokens import b64url, claims, hs256, rsa_pair


def _inspect(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tokendeck", "inspect", *args],
        capture_output=True,
        input=stdin,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )
    result = subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("leeway", ["inf", "-inf", "nan", "-1", "1e300", "4e9"])
def test_a_bad_leeway_is_an_argument_error_with_a_sentence(leeway: str) -> None:
    token, _ = hs256(claims())
    done = _inspect(token, f"--leeway={leeway}")
    assert done.returncode == 2
    assert "--leeway" in done.stderr and "seconds" in done.stderr


def test_a_large_valid_leeway_works() -> None:
    token, _ = hs256(claims())
    assert _inspect(token, "--leeway", "3e9").returncode == 0


def test_a_binary_secret_file_is_the_hmac_key(tmp_path: Path) -> None:
    raw = b"\xff\xfe\x00\x01binary-hmac-secret-of-32-bytes-or-more\x80"
    token = jwt.encode(claims(), raw, algorithm="HS256")
    secret = tmp_path / "secret.bin"
    secret.write_bytes(raw)
    done = _inspect(token, "--json", "--secret-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signature"] == "verified"


def test_unreadable_and_oversized_secret_files_are_messages(tmp_path: Path) -> None:
    token, _ = hs256(claims())
    missing = _inspect(token, "--secret-file", str(tmp_path / "missing"))
    assert missing.returncode == 2 and "Could not read the secret file" in missing.stderr
    directory = _inspect(token, "--secret-file", str(tmp_path))
    assert directory.returncode == 2 and "Could not read the secret file" in directory.stderr
    big = tmp_path / "big"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    oversized = _inspect(token, "--key", str(big))
    assert oversized.returncode == 2 and "larger than" in oversized.stderr


def test_a_der_public_key_verifies(tmp_path: Path) -> None:
    key, _ = rsa_pair()
    token = jwt.encode(claims(), key, algorithm="RS256")
    der = tmp_path / "key.der"
    der.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    done = _inspect(token, "--json", "--key", str(der))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signature"] == "verified"


def test_binary_garbage_as_key_is_a_key_error(tmp_path: Path) -> None:
    token, _ = hs256(claims())
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x30\x82\xff\xff\x00\x9f\xfe" * 10)
    done = _inspect(token, "--key", str(garbage))
    assert done.returncode == 2
    assert "Could not read the key" in done.stderr


def test_non_utf8_standard_input_is_a_message() -> None:
    done = _inspect("-", stdin=b"\xff\xfe not text \x80")
    assert done.returncode == 2
    assert "not UTF-8" in done.stderr


def test_a_lone_surrogate_claim_prints() -> None:
    payload = b'{"sub": "a\\ud800b", "exp": 4000000000}'
    header = b64url(b'{"alg":"HS256"}')
    token = f"{header}.{b64url(payload)}.c2ln"
    done = _inspect(token)
    assert done.returncode in (0, 1)
    assert "a\ufffdb" in done.stdout
    as_json = _inspect(token, "--json")
    assert json.loads(as_json.stdout)["payload"]["sub"] == "a\ufffdb"


def test_the_last_second_of_9999_prints_east_of_utc() -> None:
    # Issued now, by the clock the command reads too (the suite also runs with it shifted).
    token, _ = hs256({"iat": int(time.time()) - 60, "exp": 253_402_300_799})
    done = _inspect(token, "--leeway", "60", env={"TZ": "Asia/Tokyo"})
    assert done.returncode == 0
    assert "far future" in done.stdout


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    bodies: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path, b"{}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    finally:
        server.shutdown()
        server.server_close()


def test_deeply_nested_jwks_is_a_message(jwks_server: tuple[str, dict[str, bytes]]) -> None:
    base, bodies = jwks_server
    bodies["/deep"] = b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    bodies["/wide"] = b'{"keys": [' + b",".join([b"[[[[[[]]]]]]"] * 1000) + b"]}"
    token, _ = hs256(claims())
    for path, said in (("/deep", "nested more than"), ("/wide", "no signing key")):
        done = _inspect(token, "--jwks-url", base + path)
        assert done.returncode == 2
        assert said in done.stderr
