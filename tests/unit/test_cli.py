"""The `tokendeck` command line: where --profile may go, what --help says (descriptions, exit
codes), `inspect` with no input, `token` on a closed secret store, and no control characters
echoed to the terminal."""

from __future__ import annotations

import asyncio
import getpass
import io
import json
import os
import pty
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tokendeck import exit_codes, inspect_command
from tokendeck.cli import (
    build_parser,
    main,
    parse_command_line,
    parse_window_options,
    window_only,
)
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.terminal import terminal_safe
from tokendeck.sandbox import command as sandbox_command
from tokendeck.services import app_services, store_choice
from tokendeck.services.sessions import SessionsService
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog
from tokendeck.storage.profile import PROFILE_ENV, resolve_profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import MemoryStore
from tokendeck.storage.vault import ScryptParams, Vault

FAST_SCRYPT = ScryptParams(n=2**10, r=8, p=1)
CLOSED = "tokendeck token: The secret store is closed: "


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokendeck", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def _help(*verb: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main([*verb, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _add_account(profile_dir: Path, name: str) -> Account:
    profile = resolve_profile(profile_dir)
    profile.ensure()
    catalog = Catalog(profile.catalog_path)
    try:
        return catalog.add_account(
            Account(id="", name=name, platform=Platform.DATALOOP, host="https://dl.invalid")
        )
    finally:
        catalog.close()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system keyring is locked: the probe fails, as it does on a locked collection."""

    async def locked(namespace: str, *, timeout: float = 5) -> tuple[bool, str]:
        return False, "The system keyring is locked: unlock it, then try to store a secret again."

    monkeypatch.setattr(store_choice, "probe_keyring", locked)


@pytest.fixture
def memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """An open store without a keyring: the token command gets past the store check."""

    async def choose(*args: object, **kwargs: object) -> store_choice.StoreChoice:
        return store_choice.StoreChoice(MemoryStore(), "Memory store.")

    monkeypatch.setattr(app_services, "choose_store", choose)


# -- 1. --profile before or after the verb ---------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--profile", "A", "token", "x"], "A"),
        (["token", "--profile", "B", "x"], "B"),
        (["token", "x", "--profile", "B"], "B"),
        (["--profile", "A", "token", "--profile", "B", "x"], "B"),
        (["token", "x"], None),
        (["--profile", "A"], "A"),
    ],
)
def test_profile_parses_before_or_after_the_verb(argv: list[str], expected: str | None) -> None:
    assert build_parser().parse_args(argv).profile == expected


def test_the_profile_after_the_verb_is_the_one_used(tmp_path: Path) -> None:
    before, after, env = tmp_path / "before", tmp_path / "after", tmp_path / "env"
    done = _run("--profile", str(before), "token", "--profile", str(after), "x")
    assert done.returncode == 2
    assert done.stderr == f"tokendeck token: No TokenDeck profile at {after}.\n"
    done = _run("token", "--profile", str(after), "x", env={PROFILE_ENV: str(env)})
    assert done.stderr == f"tokendeck token: No TokenDeck profile at {after}.\n"
    done = _run("--profile", str(before), "token", "x", env={PROFILE_ENV: str(env)})
    assert done.stderr == f"tokendeck token: No TokenDeck profile at {before}.\n"


def test_after_the_verb_reaches_the_profile(
    tmp_path: Path, no_keyring: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_account(tmp_path / "real", "Mine")
    none, real = str(tmp_path / "none"), str(tmp_path / "real")
    assert main(["--profile", none, "token", "--profile", real, "Mine"]) == 1
    assert capsys.readouterr().err.startswith(CLOSED)


def test_window_options_do_not_go_with_a_verb(capsys: pytest.CaptureFixture[str]) -> None:
    for option in ("--demo", "--minimized"):
        with pytest.raises(SystemExit) as done:
            main([option, "inspect", "x"])
        assert done.value.code == exit_codes.EXIT_USAGE
        assert "open the window" in capsys.readouterr().err


# -- 2. descriptions and exit codes in every --help ------------------------------------------


def test_top_help_lists_every_verbs_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys=capsys)
    assert "exit codes" in text
    codes = text.split("exit codes", 1)[1]
    assert re.search(r"inspect\s+0 ok, 1 expired or invalid, 2 no token / not a token", codes)
    assert re.search(
        r"token\s+0 printed, 1 cannot give one now, 2 no such profile or account", codes
    )
    assert re.search(r"sandbox\s+0 stopped cleanly, 1 could not start", codes)
    assert "--profile may also follow the verb" in text


@pytest.mark.parametrize(
    ("verb", "description", "codes"),
    [
        (
            "inspect",
            "Decode a token and check it as the Inspector does",
            ["0  the token is well-formed", "1  it is expired or invalid", "2  no token was given"],
        ),
        (
            "token",
            "Only the token goes to standard output",
            [
                "0  the token was printed",
                "1  no token can be given now",
                "2  no such profile",
                "130  interrupted",
            ],
        ),
        (
            "sandbox",
            "seeded test users",
            ["0  stopped cleanly", "1  the emulator could not start", "2  bad command line"],
        ),
    ],
)
def test_each_verb_has_a_description_and_its_exit_codes(
    verb: str, description: str, codes: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(verb, capsys=capsys)
    head, _, tail = text.partition("exit codes:\n")
    assert description in " ".join(head.split())
    listed = [line.strip() for line in tail.splitlines() if re.match(r"\s+\d+  ", line)]
    assert len(listed) == len(codes), tail
    for line, expected in zip(listed, codes, strict=True):
        assert line.startswith(expected)


def test_exit_codes_are_defined_once_with_equal_values_elsewhere() -> None:
    assert (exit_codes.EXIT_OK, exit_codes.EXIT_PROBLEM, exit_codes.EXIT_NOT_A_TOKEN) == (0, 1, 2)
    assert (inspect_command.EXIT_OK, inspect_command.EXIT_PROBLEM) == (
        exit_codes.EXIT_OK,
        exit_codes.EXIT_PROBLEM,
    )
    assert inspect_command.EXIT_NOT_A_TOKEN == exit_codes.EXIT_NOT_A_TOKEN
    assert sandbox_command.EXIT_OK == exit_codes.EXIT_OK
    assert sandbox_command.EXIT_COULD_NOT_START == exit_codes.EXIT_PROBLEM
    assert sandbox_command.EXIT_USAGE == exit_codes.EXIT_USAGE


def test_sandbox_rejects_a_bad_fault_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--fault", "bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tokendeck sandbox: unknown fault 'bogus'; one of 500, 503")
    assert main(["sandbox", "--fault", "500@2"]) == 2
    assert "rate must be between 0 and 1" in capsys.readouterr().err
    assert main(["sandbox", "--fault", "503:0"]) == 2
    assert "COUNT must be 1 or more" in capsys.readouterr().err


def test_sandbox_stops_cleanly_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tokendeck", "sandbox"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("POST <base>/__sandbox/config"):
                break
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == exit_codes.EXIT_OK, err
    assert "Traceback" not in err


def test_sandbox_on_a_busy_port_exits_1() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _run("sandbox", "--oauth2-port", str(port))
    assert done.returncode == exit_codes.EXIT_PROBLEM
    assert (
        f"tokendeck sandbox: the emulator could not start (is port {port} already in use?)\n"
        in done.stderr
    )


# -- 3. sandbox lifetimes have help --------------------------------------------------------------


def test_sandbox_lifetime_options_are_explained(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help("sandbox", capsys=capsys).split())
    found = re.search(r"--token-lifetime SECONDS (.*?) exit codes", text)
    assert found, text
    explained = found.group(1)
    assert "in seconds" in explained
    assert "default 0: each platform's documented lifetime" in explained
    demo = re.search(r"--demo-lifetimes (.*?) --token-lifetime", text)
    assert demo, text
    assert "last 5 minutes" in demo.group(1)
    assert "documented lifetimes hold" in demo.group(1)
    with pytest.raises(SystemExit) as done:
        main(["sandbox", "--token-lifetime", "-5"])
    assert done.value.code == 2
    assert "must be 0 or more seconds" in capsys.readouterr().err


# -- 4. inspect with no input ------------------------------------------------------------------

NO_INPUT = (
    "tokendeck inspect: No token given: pass it as an argument or pipe it on standard input "
    "(tokendeck inspect - < file).\n"
)


def test_inspect_with_empty_input_says_what_to_do() -> None:
    for args, stdin in (([], ""), (["-"], "  \n\n"), ([""], None), (["   "], None)):
        done = subprocess.run(
            [sys.executable, "-m", "tokendeck", "inspect", *args],
            capture_output=True,
            text=True,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr == NO_INPUT
        assert "paste" not in done.stderr.lower()
        assert done.stdout == ""


def test_inspect_json_with_empty_input() -> None:
    done = _run("inspect", "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "kind": None,
        "error": "no_input",
        "message": NO_INPUT.removeprefix("tokendeck inspect: ").strip(),
    }


def test_inspect_never_waits_on_a_terminal() -> None:
    leader, follower = pty.openpty()
    try:
        for args in ([], ["-"]):
            done = subprocess.run(
                [sys.executable, "-m", "tokendeck", "inspect", *args],
                stdin=follower,
                capture_output=True,
                text=True,
                timeout=30,  # the old code blocked here forever, reading the terminal
                check=False,
            )
            assert done.returncode == 2
            assert done.stderr == NO_INPUT
    finally:
        os.close(leader)
        os.close(follower)


# -- 5. token on a closed secret store ---------------------------------------------------------


async def _vault_profile(profile_dir: Path, held: int) -> None:
    """A profile whose secrets are in the vault: `held` keys, and one save interrupted by a
    crash (its intent is still in the journal)."""
    profile = resolve_profile(profile_dir)
    profile.ensure()
    vault = await Vault.create(profile.vault_path, Secret("correct horse battery"), FAST_SCRYPT)
    catalog = await AsyncCatalog.open(profile.catalog_path)
    try:
        account = await catalog.add_account(
            Account(id="", name="Vaulted", platform=Platform.DATALOOP, host="https://dl.invalid"),
        )
        keeper = SecretKeeper(catalog, vault)
        for index in range(held):
            draft = Credential(
                id="", kind=CredentialKind.API_KEY, label=f"key {index}", account_id=account.id
            )
            await keeper.keep_new_secret(draft, Secret(f"secret-{index}"))
        interrupted = Credential(
            id="p1",
            kind=CredentialKind.API_KEY,
            label="interrupted",
            account_id=account.id,
            secret_ref="ref-p1",
        )
        await catalog.begin_pending(interrupted)
    finally:
        await vault.aclose()
        await catalog.aclose()


def test_vault_without_a_terminal_says_one_sentence_and_keeps_the_journal(
    tmp_path: Path,
) -> None:
    root = tmp_path / "vaulted"
    asyncio.run(_vault_profile(root, held=24))
    done = _run("token", "--profile", str(root), "Vaulted")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(CLOSED)
    assert "encrypted vault" in lines[0]
    assert str(resolve_profile(root).vault_path) in lines[0]
    assert "run the command in a terminal" in lines[0]
    assert "reconcile" not in done.stderr
    assert "key 3" not in done.stderr
    catalog = Catalog(resolve_profile(root).catalog_path)
    try:
        # a closed store must not make an interrupted save look lost (and drop its intent)
        assert [c.label for c in catalog.list_pending()] == ["interrupted"]
        assert len(catalog.list_credentials(None)) == 24
    finally:
        catalog.close()


def test_locked_keyring_says_one_sentence(
    tmp_path: Path, no_keyring: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_account(tmp_path / "p", "Keyringed")
    assert main(["--profile", str(tmp_path / "p"), "token", "keyringed"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(CLOSED + "the system keyring cannot be used (The system keyring")
    assert "is locked" in lines[0]
    assert "unlock the keyring" in lines[0]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("typed", "code", "last_line"),
    [
        ("wrong password", 1, "the vault's master password was wrong 5 times; run the command"),
        (EOFError, 1, "no master password was given for the vault."),
        ("correct horse battery", 1, "tokendeck token: “Vaulted” is not signed in: sign in first."),
    ],
)
def test_vault_password_on_a_terminal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    typed: str | type[EOFError],
    code: int,
    last_line: str,
) -> None:
    root = tmp_path / "vaulted"
    asyncio.run(_vault_profile(root, held=1))
    asked: list[str] = []

    def ask(prompt: str = "") -> str:
        asked.append(prompt)
        if not isinstance(typed, str):
            raise typed
        return typed

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", ask)
    assert main(["--profile", str(root), "token", "Vaulted"]) == code
    err = capsys.readouterr().err.splitlines()
    assert last_line in err[-1]
    assert asked[0] == "TokenDeck vault master password: "
    if typed == "wrong password":
        assert len(asked) == 5
        assert (
            err[:-1]
            == [
                "tokendeck token: Wrong master password, or the vault file was altered."
                " Nothing was changed."
            ]
            * 4
        )


# -- 6. no control characters reach the terminal -----------------------------------------------


def test_terminal_safe() -> None:
    assert terminal_safe("a\x1b[2Jb") == "a\\u001b[2Jb"
    assert terminal_safe("\x9b31m\x07\x7f\r") == "\\u009b31m\\u0007\\u007f\\u000d"
    assert terminal_safe("line\n\tnext é ü 日本") == "line\n\tnext é ü 日本"


def test_token_escapes_an_account_name(
    tmp_path: Path, memory_store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "evil\x1b]0;owned\x07\x1b[2J"
    _add_account(tmp_path / "p", name)
    assert main(["--profile", str(tmp_path / "p"), "token", name]) == 1
    err = capsys.readouterr().err
    assert "not signed in" in err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "evil\\u001b]0;owned\\u0007\\u001b[2J" in err


def test_token_prints_only_the_token_and_refuses_control_characters(
    tmp_path: Path,
    memory_store: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_account(tmp_path / "p", "Mine")
    value = "eyJhbGciOiJIUzI1NiJ9.e30.sig"

    async def current(self: SessionsService, account: Account, *args: object) -> Secret:
        return Secret(value)

    monkeypatch.setattr(SessionsService, "current_token", current)
    assert main(["token", "--profile", str(tmp_path / "p"), "MINE"]) == 0
    captured = capsys.readouterr()
    assert captured.out == value + "\n"
    assert captured.err == ""

    value = "abc\x1b[2Jdef"
    assert main(["token", "--profile", str(tmp_path / "p"), "Mine"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "control characters" in captured.err
    assert "\x1b" not in captured.err


@pytest.mark.parametrize(("argv", "where"), [(["--demo"], "--demo"), (["sandbox"], "sandbox")])
def test_the_demo_and_the_sandbox_say_how_to_get_the_sandbox_when_it_is_missing(
    argv: list[str], where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sandbox is an optional extra: without it, a clear sentence and exit 1, no traceback."""
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "uvicorn" else real_find_spec(name, *a),
    )
    assert main(argv) == exit_codes.EXIT_PROBLEM
    err = capsys.readouterr().err
    assert err.startswith(f"tokendeck {where}: the sandbox is an optional part")
    assert "(uvicorn missing)" in err
    assert "pip install 'tokendeck[sandbox]'" in err


def test_nothing_outside_the_sandbox_needs_its_extra() -> None:
    """A credential manager without the sandbox installed imports and runs its commands."""
    probe = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('starlette', 'uvicorn'):\n"
        "            raise ImportError(f'blocked: {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import tokendeck.cli, tokendeck.bootstrap, tokendeck.inspect_command\n"
        "import tokendeck.token_command, tokendeck.services.app_services\n"
        "import tokendeck.ui.main_window, tokendeck.platforms.registry\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.stdout.strip() == "ok"


# -- exec: the command is what follows `--`, whole ---------------------------------------------


@pytest.mark.parametrize(
    ("words", "account", "env", "profile", "command"),
    [
        (["exec", "acct", "--", "cmd"], "acct", None, None, ["cmd"]),
        (
            ["exec", "acct", "--env", "X", "--", "cmd", "--env", "y"],
            "acct",
            "X",
            None,
            ["cmd", "--env", "y"],
        ),
        (["exec", "--env", "X", "acct", "--", "cmd"], "acct", "X", None, ["cmd"]),
        (["--profile", "/p", "exec", "acct", "--", "cmd", "--"], "acct", None, "/p", ["cmd", "--"]),
        (["exec", "acct", "--profile", "/q", "--", "-x"], "acct", None, "/q", ["-x"]),
        (["exec", "acct"], "acct", None, None, []),
    ],
)
def test_exec_takes_its_command_whole_from_after_the_dashes(
    words: list[str], account: str, env: str | None, profile: str | None, command: list[str]
) -> None:
    args = parse_command_line(build_parser(), words)
    assert (args.verb, args.account, args.env, args.profile, args.command) == (
        "exec",
        account,
        env,
        profile,
        command,
    )


def test_dashes_and_a_command_go_with_exec_only(capsys: pytest.CaptureFixture[str]) -> None:
    for words, said in (
        (["token", "acct", "--", "cmd"], "unrecognized arguments: cmd"),
        (["token", "exec", "--", "cmd"], "-- COMMAND goes with tokendeck exec"),
        (["exec", "acct", "cmd"], "unrecognized arguments: cmd"),
    ):
        with pytest.raises(SystemExit) as done:
            parse_command_line(build_parser(), words)
        assert done.value.code == exit_codes.EXIT_USAGE
        assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--demo"],
        ["--minimized"],
        ["--profile", "/tmp/p"],
        ["--profile=/tmp/p", "--minimized"],
        ["--minimized", "--profile", "dir with space", "--demo"],
        ["--profile", "a", "--profile", "b"],
    ],
)
def test_the_window_s_options_parse_as_the_full_parser_parses_them(words: list[str]) -> None:
    """Opening the window does not build every verb's parser: the short parser gives what
    the full one gives."""
    assert window_only(words)
    assert vars(parse_window_options(words)) == vars(parse_command_line(build_parser(), words))


@pytest.mark.parametrize(
    "words",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["inspect"],
        ["--profile"],
        ["--profile", "-x"],
        ["--profile="],
        ["--prof", "dir"],  # argparse's abbreviation: the full parser decides
        ["--demo", "token", "x"],
        ["--bogus"],
        ["dir"],
    ],
)
def test_anything_else_goes_to_the_full_parser(words: list[str]) -> None:
    assert not window_only(words)
