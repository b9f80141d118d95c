"""Password hashes: argon2id for every new hash, older scrypt hashes upgraded at the next login.

A live training brings 30 logins a second to a 2-core server. OWASP's password storage guidance
(2025) lists five argon2id settings of equal strength, from m=47 MiB, t=1 to m=7 MiB, t=5 (p=1);
we use m=7 MiB, t=5: about 16 ms of CPU here against 20 ms for m=19 MiB, t=2 (a 7 MiB block
stays in the processor's cache, so two processes hashing at once do not slow each other), where
the scrypt N=2^15 hashes we wrote before cost 125-160 ms. The parameters come from
configuration (ARGON2_*) so a province can raise them on a bigger machine; hashes made with older
parameters are rehashed on the next successful login.

libsodium (through PyNaCl) computes the hashes with p=1, the only lanes it has: it picks an
AVX2 or AVX-512 implementation for the processor it runs on, where argon2-cffi's wheel is built
for SSE2, and the same m=7 MiB, t=5 check takes 11 ms instead of 18 ms here (the largest single
cost of the live day's logins). Both write and read the same PHC string ("$argon2id$v=19$m=...,
t=...,p=1$salt$hash", 16-byte salt, 32-byte hash), so either one verifies the other's hashes.
argon2-cffi reads the parameters for rehashing, and hashes and verifies everything libsodium
cannot: p > 1, and argon2i/argon2d strings.

Hashing is the most expensive thing a request can ask for, so each process lets only a few run
at once (LOGIN_HASH_CONCURRENCY): a burst of logins queues here instead of starving the page
requests of CPU, and a login that waited longer than LOGIN_HASH_WAIT_SECONDS gets "busy, try
again" rather than a minute-long wait.
"""

import threading
from contextlib import contextmanager
from typing import NamedTuple

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from nacl.exceptions import CryptoError
from nacl.pwhash import argon2id as sodium_argon2id
from werkzeug.security import check_password_hash

EXTENSION_KEY = "hocso.passwords"


class ServerBusy(RuntimeError):
    """Too many passwords are being checked right now; the client should retry shortly."""

    retry_after_seconds = 5


class PasswordCheck(NamedTuple):
    matches: bool
    needs_rehash: bool


class PasswordHashing:
    """The configured argon2id hasher, a dummy hash for unknown users and the hashing gate."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int, concurrency: int,
                 wait_seconds: float):
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                     parallelism=parallelism)
        # Checked when the login names nobody, so that an unknown user costs what a wrong
        # password costs (same parameters, same work).
        self.dummy_hash = self._new_hash("not-a-real-password-0")
        self.gate = threading.BoundedSemaphore(concurrency)
        self.wait_seconds = wait_seconds

    def hash(self, password: str) -> str:
        with self._turn():
            return self._new_hash(password)

    def _new_hash(self, password: str) -> str:
        hasher = self.hasher
        if hasher.parallelism != 1:
            return hasher.hash(password)
        return sodium_argon2id.str(password.encode(), opslimit=hasher.time_cost,
                                   memlimit=hasher.memory_cost * 1024).decode("ascii")

    def check(self, stored_hash: str | None, password: str) -> PasswordCheck:
        """Whether the password matches, and whether its hash should be replaced."""
        with self._turn():
            if stored_hash is None:
                self._verify_argon2(self.dummy_hash, password)
                return PasswordCheck(False, False)
            if not stored_hash.startswith("$argon2"):
                # scrypt/pbkdf2 hashes written before argon2 (and light one-time passwords).
                return PasswordCheck(check_password_hash(stored_hash, password), True)
            matches = self._verify_argon2(stored_hash, password)
            return PasswordCheck(matches, matches and self.hasher.check_needs_rehash(stored_hash))

    def _verify_argon2(self, stored_hash: str, password: str) -> bool:
        if not stored_hash.isascii():  # no hash is; argon2-cffi would raise on it
            return False
        if sodium_can_verify(stored_hash):
            try:
                return sodium_argon2id.verify(stored_hash.encode("ascii"), password.encode())
            except CryptoError:  # a wrong password (libsodium does not say more)
                return False
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @contextmanager
    def _turn(self):
        if not self.gate.acquire(timeout=self.wait_seconds):
            raise ServerBusy("too many password checks at once")
        try:
            yield
        finally:
            self.gate.release()


def sodium_can_verify(stored_hash: str) -> bool:
    """An argon2id string with one lane (libsodium has no other)."""
    try:
        parameters = extract_parameters(stored_hash)
    except InvalidHashError:
        return False  # argon2-cffi then refuses it too
    return parameters.type is Type.ID and parameters.parallelism == 1


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions[EXTENSION_KEY] = PasswordHashing(
        time_cost=config["ARGON2_TIME_COST"],
        memory_kib=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
        concurrency=config["LOGIN_HASH_CONCURRENCY"],
        wait_seconds=config["LOGIN_HASH_WAIT_SECONDS"],
    )


def _hashing() -> PasswordHashing:
    return current_app.extensions[EXTENSION_KEY]


def hash_password(password: str) -> str:
    """An argon2id hash of the password with the configured parameters."""
    return _hashing().hash(password)


def check_password(stored_hash: str | None, password: str) -> PasswordCheck:
    """Check a password against a stored hash (None: an unknown user, same cost)."""
    return _hashing().check(stored_hash, password)
