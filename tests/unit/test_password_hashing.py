"""argon2id through libsodium and argon2-cffi: one string format, each verifies the other's hashes."""

import pytest
from argon2 import PasswordHasher, Type

from app.accounts.passwords import PasswordHashing, sodium_can_verify

PASSWORD = "Mật-khẩu-Xã-2025"  # not ASCII: both libraries must encode it the same way
LIGHT = {"time_cost": 1, "memory_kib": 1024}


def hashing(parallelism: int = 1) -> PasswordHashing:
    return PasswordHashing(**LIGHT, parallelism=parallelism, concurrency=2, wait_seconds=1.0)


def test_a_libsodium_hash_is_a_standard_argon2id_string_that_argon2_cffi_accepts():
    stored = hashing().hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    cffi = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    assert cffi.verify(stored, PASSWORD)
    assert not cffi.check_needs_rehash(stored)  # same salt and hash lengths: no rehash loop


def test_an_argon2_cffi_hash_is_checked_by_libsodium():
    stored = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    assert sodium_can_verify(stored)
    assert hashing().check(stored, PASSWORD) == (True, False)
    assert hashing().check(stored, PASSWORD + "x") == (False, False)


@pytest.mark.parametrize("cffi_hasher", [
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2),  # two lanes
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.I),  # argon2i
], ids=["two-lanes", "argon2i"])
def test_hashes_libsodium_cannot_read_are_checked_by_argon2_cffi(cffi_hasher):
    stored = cffi_hasher.hash(PASSWORD)
    assert not sodium_can_verify(stored)
    matches, needs_rehash = hashing().check(stored, PASSWORD)
    assert matches and needs_rehash  # and replaced by the configured argon2id at this login
    assert hashing().check(stored, "sai-mat-khau") == (False, False)


def test_with_two_lanes_configured_argon2_cffi_makes_the_hashes():
    two_lanes = hashing(parallelism=2)
    stored = two_lanes.hash(PASSWORD)
    assert ",p=2$" in stored and two_lanes.check(stored, PASSWORD) == (True, False)


@pytest.mark.parametrize("broken", [
    "", "$argon2id$", "$argon2id$v=19$m=1024,t=1,p=1$", "plain text",
    "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$bWFuZ2xlZA", "$argon2id$v=19$m=1024,t=1,p=1$ạ$ạ",
])
def test_a_damaged_stored_hash_never_matches_and_never_raises(broken):
    assert not hashing()._verify_argon2(broken, PASSWORD)
