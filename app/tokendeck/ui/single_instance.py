"""One TokenDeck per profile: a second launch asks the first to show its window, then exits.

The profile's `instance_key` is, on POSIX, the path of a Unix socket in a directory only this
user can enter: the running instance listens there with Python's own socket and a
QSocketNotifier, so neither check loads QtNetwork (8 ms and 2 MiB) before the window's first
paint. A client sends "raise\\n" and closes; QLocalSocket clients of earlier releases speak the
same. On Windows the key names a pipe, and QLocalServer / QLocalSocket are used.
"""

from __future__ import annotations

import errno
import logging
import os
import socket

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

log = logging.getLogger(__name__)

_RAISE = b"raise\n"
_MOST_READ = 64  # a client says "raise\n": anything longer is cut, and read as what it starts with


def notify_running_instance(key: str, timeout_ms: int = 500) -> bool:
    """True if another instance listens on `key` and was told to raise its window."""
    if os.name == "nt":
        return _notify_pipe(key, timeout_ms)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout_ms / 1000)
        try:
            client.connect(key)
            client.sendall(_RAISE)
        except OSError:  # no socket file, or a stale one nobody answers, or no answer in time
            return False
    return True


class InstanceServer(QObject):
    raise_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._server: socket.socket | None = None
        self._identity: tuple[int, int] | None = None  # the socket file's (inode, ctime)
        self._notifier: QSocketNotifier | None = None
        # By each client's notifier: its socket and what it said so far.
        self._clients: dict[QSocketNotifier, tuple[socket.socket, bytearray]] = {}
        if os.name == "nt":
            self._pipe = _PipeServer(key, self)
            self._pipe.raise_requested.connect(self.raise_requested)
            return
        try:
            self._server, self._identity = _listen(key)
        except OSError as exc:  # the app runs on; a second launch opens a second window
            log.warning("single instance: cannot listen (%s)", exc.strerror or type(exc).__name__)
            return
        self._notifier = QSocketNotifier(self._server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)

    def _accept(self) -> None:
        assert self._server is not None
        while True:
            try:
                client, _ = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors, say: rest a second, not a busy loop
                log.warning("single instance: accept failed (%s)", exc.strerror)
                if self._notifier is not None:
                    self._notifier.setEnabled(False)
                    QTimer.singleShot(1000, self, self._listen_again)
                return
            client.setblocking(False)
            # Each client is read when it has something to say: one that never writes holds
            # nothing up (and the directory lets no other user connect at all).
            # (A bound method, not a closure over self: a closure held by the notifier, a child
            # of this object, would keep it alive until the notifier's own deletion.)
            notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
            notifier.activated.connect(self._client_ready)
            self._clients[notifier] = (client, bytearray())

    def _listen_again(self) -> None:
        if self._server is not None and self._notifier is not None:
            self._notifier.setEnabled(True)

    def _client_ready(self) -> None:
        notifier = self.sender()
        if not isinstance(notifier, QSocketNotifier) or notifier not in self._clients:
            return
        client, said = self._clients[notifier]
        try:
            chunk = client.recv(_MOST_READ)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        said += chunk
        if chunk and b"\n" not in said and len(said) < _MOST_READ:
            return  # more to come
        self._drop(notifier)
        if said.startswith(_RAISE.strip()):
            self.raise_requested.emit()

    def _drop(self, notifier: QSocketNotifier) -> None:
        client, _ = self._clients.pop(notifier)
        notifier.setEnabled(False)
        notifier.deleteLater()
        client.close()

    def close(self) -> None:
        if os.name == "nt":
            self._pipe.close()
            return
        for notifier in list(self._clients):
            self._drop(notifier)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self._server is not None:
            self._server.close()
            self._server = None
            # The socket file goes with us, unless another instance has taken it over since
            # (its file may reuse the inode number: the change time tells them apart).
            try:
                if _identity(os.stat(self._key)) == self._identity:
                    os.unlink(self._key)
            except OSError:
                pass


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_ino, info.st_ctime_ns


def _listen(path: str) -> tuple[socket.socket, tuple[int, int]]:
    """A listening socket at `path`, 0600. A socket file already there belongs to a crashed
    instance (nobody answered `notify_running_instance`): it is taken over, as QLocalServer's
    users do with `removeServer`."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            server.bind(path)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            os.unlink(path)
            server.bind(path)
        os.chmod(path, 0o600)
        server.listen(8)
        server.setblocking(False)
        return server, _identity(os.stat(path))
    except BaseException:
        server.close()
        raise


def _notify_pipe(key: str, timeout_ms: int) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    client = QLocalSocket()
    client.connectToServer(key)
    if not client.waitForConnected(timeout_ms):
        return False
    client.write(_RAISE)
    client.waitForBytesWritten(timeout_ms)
    client.disconnectFromServer()
    return True


class _PipeServer(QObject):
    """Windows: QLocalServer on a named pipe, private to the session (UserAccessOption)."""

    raise_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(key):
            QLocalServer.removeServer(key)
            self._server.listen(key)
        self._server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            client.readyRead.connect(lambda c=client: self._on_ready(c))
            client.disconnected.connect(client.deleteLater)

    def _on_ready(self, client: object) -> None:
        from PySide6.QtNetwork import QLocalSocket

        assert isinstance(client, QLocalSocket)
        if bytes(client.readAll().data()).startswith(_RAISE.strip()):
            self.raise_requested.emit()

    def close(self) -> None:
        self._server.close()
