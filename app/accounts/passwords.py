"""Password hashes: argon2id for every new hash, older scrypt hashes upgraded at the next login.

A live training brings 30 logins a second to a 2-core server. OWASP's password storage guidance
(2025) lists five argon2id settings of equal strength, from m=47 MiB, t=1 to m=7 MiB, t=5 (p=1);
we use m=7 MiB, t=5: about 16 ms of CPU here against 20 ms for m=19 MiB, t=2 (a 7 MiB block
stays in the processor's cache, so two processes hashing at once do not slow each other), where
the scrypt N=2^15 hashes we wrote before cost 125-160 ms. The parameters come from
configuration (ARGON2_*) so a province can raise them on a bigger machine; hashes made with older
parameters are rehashed on the next successful login.

Hashing is the most expensive thing a request can ask for, so each process lets only a few run
at once (LOGIN_HASH_CONCURRENCY): a burst of logins queues here instead of starving the page
requests of CPU, and a login that waited longer than LOGIN_HASH_WAIT_SECONDS gets "busy, try
again" rather than a minute-long wait.
"""

import threading
from contextlib import contextmanager
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
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
        self.dummy_hash = self.hasher.hash("not-a-real-password-0")
        self.gate = threading.BoundedSemaphore(concurrency)
        self.wait_seconds = wait_seconds

    def hash(self, password: str) -> str:
        with self._turn():
            return self.hasher.hash(password)

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
