"""One TokenDeck per profile (ui/single_instance.py): a second launch raises the first; a stale
socket file is taken over; the socket is the user's alone and goes with its instance; a client
that says nothing holds nothing up; earlier releases' QLocalSocket clients still raise it."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tokendeck.ui.single_instance import InstanceServer, notify_running_instance

pytestmark = pytest.mark.skipif(os.name == "nt", reason="a Unix socket")


@pytest.fixture
def key(tmp_path: Path) -> str:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    return str(folder / "instance-test")


def test_nobody_listening_means_no_other_instance(key: str) -> None:
    assert not notify_running_instance(key)


def test_a_second_launch_raises_the_first(qtbot: QtBot, key: str) -> None:
    server = InstanceServer(key)
    try:
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            assert notify_running_instance(key)
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            assert notify_running_instance(key), "and again"
    finally:
        server.close()
    assert not os.path.exists(key), "the socket file goes with its instance"
    assert not notify_running_instance(key)


def test_a_stale_socket_file_is_taken_over(qtbot: QtBot, key: str) -> None:
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(key)
    crashed.close()  # the file stays, nobody listens: a crashed instance
    assert os.path.exists(key) and not notify_running_instance(key)
    server = InstanceServer(key)
    try:
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            assert notify_running_instance(key)
    finally:
        server.close()


def test_closing_leaves_a_socket_another_instance_took_over(qtbot: QtBot, key: str) -> None:
    first = InstanceServer(key)
    os.unlink(key)  # as a later instance taking over a file it thought stale
    second = InstanceServer(key)
    try:
        first.close()
        assert os.path.exists(key)
        with qtbot.waitSignal(second.raise_requested, timeout=5000):
            assert notify_running_instance(key)
    finally:
        second.close()


def test_a_client_that_says_nothing_holds_nothing_up(qtbot: QtBot, key: str) -> None:
    server = InstanceServer(key)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        silent.connect(key)
        qtbot.wait(50)
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            assert notify_running_instance(key)
        rude = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        rude.connect(key)
        rude.sendall(b"x" * 10_000)
        rude.close()
        with qtbot.assertNotEmitted(server.raise_requested, wait=200):
            pass
    finally:
        silent.close()
        server.close()


def test_an_earlier_release_s_qlocalsocket_raises_it(qtbot: QtBot, key: str) -> None:
    from PySide6.QtNetwork import QLocalSocket

    server = InstanceServer(key)
    try:
        client = QLocalSocket()
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            client.connectToServer(key)
            assert client.waitForConnected(1000)
            client.write(b"raise\n")
            client.waitForBytesWritten(1000)
            client.disconnectFromServer()
    finally:
        server.close()


def test_checking_loads_no_qtnetwork(key: str) -> None:
    probe = (
        "import sys; from tokendeck.ui.single_instance import InstanceServer, "
        "notify_running_instance as n; from PySide6.QtCore import QCoreApplication; "
        f"app = QCoreApplication([]); n({key!r}); s = InstanceServer({key!r}); "
        "print('PySide6.QtNetwork' in sys.modules); s.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "False"
