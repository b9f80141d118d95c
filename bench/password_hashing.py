"""The login's argon2id check through libsodium (what the app uses) against argon2-cffi, in one run.

    .venv/bin/python -m bench.password_hashing                 # the configured m=7 MiB, t=5, p=1
    .venv/bin/python -m bench.password_hashing --checks 100 --memory-kib 19456 --time-cost 2

Each library checks the same PHC string; CPU time per check is measured alone and with two
processes checking at once (two cores hashing, as on the live day). Prints the figures and the
ratio libsodium / argon2-cffi measured in the same run.
"""

import argparse
import time
from multiprocessing import Pool

from argon2 import PasswordHasher
from nacl.pwhash import argon2id as sodium_argon2id

PASSWORD = "HocVien@2025"


def milliseconds_per_check(job: tuple[str, int, int, int]) -> float:
    library, memory_kib, time_cost, checks = job
    stored = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1).hash(PASSWORD)
    if library == "libsodium":
        check = lambda: sodium_argon2id.verify(stored.encode(), PASSWORD.encode())  # noqa: E731
    else:
        hasher = PasswordHasher()
        check = lambda: hasher.verify(stored, PASSWORD)  # noqa: E731
    check()
    started = time.process_time()
    for _ in range(checks):
        check()
    return (time.process_time() - started) / checks * 1000


def main() -> None:
    from config import Config

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=60)
    parser.add_argument("--memory-kib", type=int, default=Config.ARGON2_MEMORY_KIB)
    parser.add_argument("--time-cost", type=int, default=Config.ARGON2_TIME_COST)
    args = parser.parse_args()
    print(f"argon2id m={args.memory_kib} KiB, t={args.time_cost}, p=1; {args.checks} checks per process")
    figures: dict[tuple[str, int], list[float]] = {}
    with Pool(2) as pool:
        for _round in range(2):  # alternated, so a host that changes speed affects both alike
            for library in ("argon2-cffi", "libsodium"):
                job = (library, args.memory_kib, args.time_cost, args.checks)
                figures.setdefault((library, 1), []).append(milliseconds_per_check(job))
                figures.setdefault((library, 2), []).extend(pool.map(milliseconds_per_check, [job, job]))
    for processes in (1, 2):
        cffi, sodium = (min(figures[(name, processes)]) for name in ("argon2-cffi", "libsodium"))
        print(f"  {processes} process(es) at once: argon2-cffi {cffi:.1f} ms, libsodium {sodium:.1f} ms "
              f"of CPU a check; libsodium/argon2-cffi {sodium / cffi:.2f}")


if __name__ == "__main__":
    main()
