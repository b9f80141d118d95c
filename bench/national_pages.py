"""A learner's pages on the nation's data against the same pages on a small database (issue 15).

    .venv/bin/python -m bench.national_data                              # hocso_national, 1,000,000
    .venv/bin/python -m bench.national_data --scale 0.01 --database hocso_national_small
    .venv/bin/python -m bench.national_pages                             # the comparison

The same learner journey (her course list, her course, a module) is requested through the app,
in process, alternately on both databases, so that both see the same machine; the figures are
the median and 95th percentile of each page and the ratio of the national median to the small
one (the target: within 10 %, a ratio of at most 1.10).

The two data sets are drawn apart, so `hv0000010` of one is not the same learner in the other:
on the national side the benchmark takes the first learner whose record has the same shape as
the small side's (the same courses, with as many progress rows, attempts and certificates in
each), so that both render the same pages and only the size of the country differs.
"""

import argparse
import logging
import statistics
import time

import sqlalchemy as sa

from bench.databases import POSTGRES_SERVER
from bench.national_data import MAIN_COURSE, PASSWORD
from bench.national_reports import make_app

PAGES = {
    "course list": "/courses",
    "course": f"/courses/{MAIN_COURSE}",
    "module": f"/courses/{MAIN_COURSE}/modules/vi-sao-chuyen-doi-so",
}


# A learner's record, in short: per course, her progress rows, quiz attempts and certificates.
PROFILE = sa.text("""
    SELECT string_agg(c.slug || ':' || (SELECT count(*) FROM module_progress mp JOIN module m
                                         ON m.id = mp.module_id WHERE mp.user_id = e.user_id
                                         AND m.course_id = e.course_id)
                      || ':' || (SELECT count(*) FROM quiz_attempt qa JOIN module m ON m.id = qa.module_id
                                 WHERE qa.user_id = e.user_id AND m.course_id = e.course_id)
                      || ':' || (SELECT count(*) FROM certificate ce WHERE ce.user_id = e.user_id
                                 AND ce.course_id = e.course_id), ',' ORDER BY c.slug)
    FROM enrolment e JOIN course c ON c.id = e.course_id JOIN "user" u ON u.id = e.user_id
    WHERE u.username = :username""")


def profile(database: str, username: str) -> str:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/{database}")
    with engine.connect() as connection:
        shape = connection.scalar(PROFILE, {"username": username})
    engine.dispose()
    assert shape, (database, username)
    return shape


def learner_like(database: str, shape: str, candidates: int = 5000) -> str:
    """The first of `candidates` learners whose record has this shape."""
    engine = sa.create_engine(f"{POSTGRES_SERVER}/{database}")
    with engine.connect() as connection:
        usernames = connection.scalars(sa.text(
            "SELECT username FROM \"user\" WHERE role = 'learner' ORDER BY id LIMIT :n"), {"n": candidates})
        found = next((name for name in usernames
                      if connection.scalar(PROFILE, {"username": name}) == shape), None)
    engine.dispose()
    assert found, f"no learner of {database} has the record {shape}"
    return found


class Learner:
    """One logged-in learner on one database."""

    def __init__(self, database: str, username: str) -> None:
        self.app = make_app(f"{POSTGRES_SERVER}/{database}")
        self.client = self.app.test_client()
        self.context = self.app.app_context()
        reply = self.client.post("/login", data={"login": username, "password": PASSWORD})
        assert reply.status_code == 302, (database, reply.status_code)
        for path in PAGES.values():  # the first open of the module writes; the measured ones do not
            assert self.client.get(path).status_code == 200, path

    def time(self, path: str) -> float:
        started = time.perf_counter()
        reply = self.client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", default="hocso_national")
    parser.add_argument("--small", default="hocso_national_small")
    parser.add_argument("--username", default="hv0000010", help="a learner of the small data set")
    parser.add_argument("--requests", type=int, default=300, help="per page and database")
    args = parser.parse_args(argv)
    logging.getLogger("hocso").setLevel(logging.WARNING)
    shape = profile(args.small, args.username)
    twin = learner_like(args.national, shape)
    national, small = Learner(args.national, twin), Learner(args.small, args.username)
    print(f"Learner pages, {twin} of {args.national} against {args.username} of {args.small}"
          f" (per course: progress rows, attempts, certificates {shape}), {args.requests} requests each")
    print(f"{'page':<12} {'national p50':>13} {'p95':>8} {'small p50':>10} {'p95':>8} {'ratio':>6}")
    worst = 0.0
    for name, path in PAGES.items():
        times: dict[str, list[float]] = {"national": [], "small": []}
        for _ in range(args.requests):  # alternately, so both see the same load
            times["national"].append(national.time(path))
            times["small"].append(small.time(path))
        p50 = {key: statistics.median(values) for key, values in times.items()}
        p95 = {key: statistics.quantiles(values, n=20)[-1] for key, values in times.items()}
        ratio = p50["national"] / p50["small"]
        worst = max(worst, ratio)
        print(f"{name:<12} {p50['national']:10.2f} ms {p95['national']:5.1f} ms {p50['small']:7.2f} ms "
              f"{p95['small']:5.1f} ms {ratio:6.2f}")
    print(f"worst ratio {worst:.2f} (target ≤ 1.10: {'met' if worst <= 1.10 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
