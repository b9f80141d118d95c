"""Scratch databases for benchmarks: a SQLite file in a folder, or a PostgreSQL database of their own."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def ensure_postgres_database(name: str) -> str:
    """Create the database if it is missing; its SQLAlchemy URL."""
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{POSTGRES_SERVER}/{name}"


def drop_postgres_database(name: str) -> None:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def scratch_database(kind: str, folder: Path, postgres_name: str) -> Iterator[str]:
    """The URL of an empty database ("sqlite": a file in folder; "postgresql": postgres_name,
    dropped first and afterwards, never `test`)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    assert postgres_name not in ("test", "postgres"), "a benchmark never uses a shared database"
    drop_postgres_database(postgres_name)
    url = ensure_postgres_database(postgres_name)
    try:
        yield url
    finally:
        drop_postgres_database(postgres_name)


def bench_app(database_url: str, courses_dir: Path):
    """The app on that database and courses folder, for setting up and auditing a run."""
    from app import create_app
    from config import Config

    class BenchSetupConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(32)  # a benchmark's own, never a known one
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = courses_dir
        JOBS_REDIS_URL = ""

    return create_app(BenchSetupConfig)


def create_schema_and_courses(courses_dir: Path) -> None:
    """In an app context: the tables (as the existing benches do, without migrations) and the courses."""
    from app.content.services import sync_courses
    from app.extensions import db

    db.create_all()
    sync_courses(courses_dir)
    db.session.commit()
