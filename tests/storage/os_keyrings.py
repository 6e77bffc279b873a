"""The Windows and macOS keyrings at their system boundary, on this Linux machine: python-keyring's
real backends (WinVaultKeyring, macOS.Keyring) over fakes of the system calls they make
(win32cred's CredRead / CredWrite / CredDelete; the Security framework's generic-password calls),
each fake keeping the system's rules where TokenDeck can meet them:

- Windows Credential Manager refuses a credential blob over 2,560 bytes (CRED_MAX_CREDENTIAL_
  BLOB_SIZE, 5 * 512; pywin32 writes a str as UTF-16, so 1,280 characters at most) with error
  1783, and a user name over 513 characters with error 87; a missing target is error 1168.
- The macOS Keychain answers a missing item with errSecItemNotFound (-25300), and a locked or
  denied keychain with errSecInteractionNotAllowed / errSecAuthFailed, which python-keyring
  turns into KeyringLocked.
"""

from __future__ import annotations

from typing import Any

CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512
CRED_MAX_USERNAME_LENGTH = 513
ERROR_NOT_FOUND = 1168
RPC_X_BAD_STUB_DATA = 1783
ERROR_INVALID_PARAMETER = 87


class WinError(Exception):
    """pywintypes.error: (winerror, funcname, strerror)."""

    def __init__(self, winerror: int, funcname: str, strerror: str) -> None:
        super().__init__(winerror, funcname, strerror)
        self.winerror = winerror
        self.funcname = funcname
        self.strerror = strerror


class CredentialManager:
    """win32cred's generic credentials, by target name."""

    CRED_TYPE_GENERIC = 1
    CRED_PERSIST_SESSION = 1
    CRED_PERSIST_LOCAL_MACHINE = 2
    CRED_PERSIST_ENTERPRISE = 3

    def __init__(self) -> None:
        self.targets: dict[str, dict[str, Any]] = {}
        self.largest_blob = 0

    def CredRead(self, Type: int, TargetName: str) -> dict[str, Any]:  # noqa: N803
        assert Type == self.CRED_TYPE_GENERIC
        if TargetName not in self.targets:
            raise WinError(ERROR_NOT_FOUND, "CredRead", "Element not found.")
        return dict(self.targets[TargetName])

    def CredWrite(self, credential: dict[str, Any], flags: int) -> None:
        blob = credential["CredentialBlob"]
        data = blob.encode("utf-16-le", "surrogatepass") if isinstance(blob, str) else blob
        if len(data) > CRED_MAX_CREDENTIAL_BLOB_SIZE:
            raise WinError(RPC_X_BAD_STUB_DATA, "CredWrite", "The stub received bad data.")
        if len(credential["UserName"]) > CRED_MAX_USERNAME_LENGTH:
            raise WinError(ERROR_INVALID_PARAMETER, "CredWrite", "The parameter is incorrect.")
        self.largest_blob = max(self.largest_blob, len(data))
        self.targets[credential["TargetName"]] = {
            "TargetName": credential["TargetName"],
            "UserName": credential["UserName"],
            "CredentialBlob": data,
            "Persist": credential["Persist"],
        }

    def CredDelete(self, Type: int, TargetName: str) -> None:  # noqa: N803
        if self.targets.pop(TargetName, None) is None:
            raise WinError(ERROR_NOT_FOUND, "CredDelete", "Element not found.")


class KeychainError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status


class KeychainNotFoundError(KeychainError):
    pass


class KeychainDeniedError(KeychainError):
    pass


class SecAuthFailureError(KeychainError):
    pass


class Keychain:
    """keyring.backends.macOS.api: generic passwords by (service, account)."""

    Error = KeychainError
    NotFound = KeychainNotFoundError
    KeychainDenied = KeychainDeniedError
    SecAuthFailure = SecAuthFailureError

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise KeychainDeniedError(-25308, "Keychain Access Denied")  # interaction not allowed

    def find_generic_password(
        self, kc_name: str | None, service: str, username: str, not_found_ok: bool = False
    ) -> str | None:
        self._check()
        if (service, username) not in self.items:
            if not_found_ok:
                return None
            raise KeychainNotFoundError(-25300, "Item not found")
        return self.items[service, username]

    def set_generic_password(
        self, name: str | None, service: str, username: str, password: str
    ) -> None:
        self._check()
        self.items.pop((service, username), None)
        self.items[service, username] = password

    def delete_generic_password(self, name: str | None, service: str, username: str) -> None:
        self._check()
        if self.items.pop((service, username), None) is None:
            raise KeychainNotFoundError(-25300, "Item not found")
