"""Fixtures: a fresh app and database per test, users made in one call, a logged-in client."""

import copy
import os
import re
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app import create_app
from app.accounts.models import Role, User
from app.accounts.services import create_user
from app.audit.models import AuditEvent
from app.authoring import instructors
from app.certificates import signing
from app.content import services as content_services
from app.content.services import sync_courses
from app.extensions import db
from app.jobs import services as jobs
from app.units.models import Unit, UnitLevel
from config import TestingConfig
from tests import builders

FIXTURE_COURSES = Path(__file__).parent / "fixtures" / "courses"
PASSWORD = "Mat-khau-thu-nghiem-2025"


def pytest_configure(config):
    """Under pytest-xdist (`make test-fast`) each worker gets a PostgreSQL database of its own:
    every test drops and recreates the schema, which would pull it from under the other worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = TestingConfig.SQLALCHEMY_DATABASE_URI
    if worker and url.startswith("postgresql"):
        TestingConfig.SQLALCHEMY_DATABASE_URI = worker_database(url, worker)


def worker_database(url: str, worker: str) -> str:
    """DATABASE_URL's database suffixed with the worker's name ("test_gw0"), created if missing."""
    shared = sa.engine.make_url(url)
    own = shared.set(database=f"{shared.database}_{worker}")
    server = sa.create_engine(shared.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": own.database})
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    finally:
        server.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture
def courses_dir(tmp_path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    return target


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as in production.

    The test itself holds an app context for its database work; without this, requests
    would share its `g` (and flask-login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        db.session.commit()  # end the test's transaction so the request sees its data
        hidden = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(hidden)
            db.session.expire_all()  # the test's next read sees what the request wrote


@pytest.fixture
def app_settings() -> dict:
    """Extra config for the app fixture; override it (or parametrize it) in a test module."""
    return {}


SIGNER_COMMON_NAME = "Sở Khoa học và Công nghệ (thử nghiệm)"
SIGNING_PASSPHRASE = "mat-khau-khoa-ky"  # noqa: S105 - a key made for this test session only


@pytest.fixture(scope="session")
def signing_key_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed PEM key (encrypted with SIGNING_PASSPHRASE) and certificate, made once per
    test session in a temporary folder; never committed."""
    from app.certificates.signing_keys import write_pem_pair

    folder = tmp_path_factory.mktemp("signing")
    return write_pem_pair(folder, SIGNER_COMMON_NAME, "Hocso tests", SIGNING_PASSPHRASE.encode())


SIGNING_SETTINGS = ("CERTIFICATE_SIGNING_PKCS12", "CERTIFICATE_SIGNING_KEY", "CERTIFICATE_SIGNING_CERT",
                    "CERTIFICATE_SIGNING_CHAIN", "CERTIFICATE_SIGNING_PASSPHRASE",
                    "CERTIFICATE_SIGNING_TIMESTAMP_URL", "CERTIFICATE_SIGNING_DEVELOPMENT_KEY")
_LOADED_IDENTITIES: dict[tuple, signing.SigningIdentity | None] = {}
_load_identity = signing.load_identity


def identity_loaded_once(config) -> signing.SigningIdentity | None:
    """signing.load_identity, reusing what the same settings and unchanged files gave before.

    Loading an RSA key checks it, some 40 ms; every test's app would pay that for the one key
    pair of the session. A failed load is never kept, so it fails again."""
    values = tuple(config[name] for name in SIGNING_SETTINGS)
    files = tuple(os.path.getmtime(path) if os.path.exists(path) else None
                  for path in values[:4] if path)
    if (values, files) not in _LOADED_IDENTITIES:
        _LOADED_IDENTITIES[values, files] = _load_identity(config)
    return _LOADED_IDENTITIES[values, files]


_PARSED_COURSES: dict[tuple, tuple] = {}
_parse_courses = content_services.parse_courses


def courses_parsed_once(root: Path) -> tuple:
    """parse_courses, reusing (a copy of) what the same files gave before: parsing is pure, and
    every test's app would spend some 50 ms parsing the same fixture courses."""
    files = tuple(sorted((path.relative_to(root).as_posix(), path.read_bytes() if path.is_file() else None)
                         for path in root.rglob("*")))
    if files not in _PARSED_COURSES:
        _PARSED_COURSES[files] = _parse_courses(root)
    return copy.deepcopy(_PARSED_COURSES[files])


@pytest.fixture
def app(tmp_path, courses_dir, app_settings, signing_key_files, monkeypatch):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'test.sqlite3'}"
        )
        COURSES_DIR = courses_dir
        WTF_CSRF_ENABLED = False
        CERTIFICATE_SIGNING_KEY = str(signing_key_files[0])
        CERTIFICATE_SIGNING_CERT = str(signing_key_files[1])
        CERTIFICATE_SIGNING_PASSPHRASE = SIGNING_PASSPHRASE

    for name, value in app_settings.items():
        setattr(Config, name, value)
    with monkeypatch.context() as patch:  # only for this fixture's own app and first sync
        patch.setattr(signing, "load_identity", identity_loaded_once)
        patch.setattr(content_services, "parse_courses", courses_parsed_once)
        app = create_app(Config)
        app.test_client_class = IsolatedClient
        with app.app_context():
            reset_database()
            db.create_all()
            sync_courses(courses_dir)
            db.session.commit()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def reset_database() -> None:
    """PostgreSQL keeps what the last test left: start from an empty schema."""
    db.session.remove()  # a transaction still open here would block DROP SCHEMA
    if db.engine.dialect.name != "postgresql":
        return
    for attempt in range(5):
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
            return
        except sa.exc.OperationalError as error:
            # The last test's background job thread may still be finishing a read: PostgreSQL
            # then breaks the deadlock by cancelling the DROP, which succeeds once it is done.
            if "deadlock detected" not in str(error) or attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF checks on, for tests that prove forms are protected."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def commune(app) -> Unit:
    province = Unit(code="T99", name="Tỉnh Thử Nghiệm", level=UnitLevel.PROVINCE)
    commune = Unit(code="T99-X01", name="Xã Hòa Bình", level=UnitLevel.COMMUNE, parent=province)
    db.session.add_all([province, commune])
    db.session.commit()
    return commune


class UserFactory:
    """make_user(role=...) creates a committed user with the shared test password."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.count = 0

    def __call__(self, role: str = Role.LEARNER, username: str | None = None,
                 full_name: str = "Nguyễn Thị Hồng Nhung", **kwargs):
        self.count += 1
        username = username or f"{role}{self.count}"
        user = create_user(username, full_name, PASSWORD, role, self.unit, **kwargs)
        db.session.commit()
        return user


@pytest.fixture
def make_user(app, commune) -> UserFactory:
    return UserFactory(commune)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data={"login": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def admin_locale() -> str | None:
    """The saved language of `admin`; None: Vietnamese. A module that reads English pages
    overrides this fixture."""
    return None


@pytest.fixture
def admin(client, auth, make_user, admin_locale) -> User:
    """Lê Minh Châu, administrator 'quantri', signed in on `client`."""
    user = make_user(role="admin", username="quantri", full_name="Lê Minh Châu")
    if admin_locale:
        user.locale = admin_locale
        db.session.commit()
    auth.login("quantri")
    return user


@pytest.fixture
def editor(client, auth, make_user):
    """`client`, signed in as 'giang_vien', an instructor assigned to khoa-mau."""
    instructor = make_user(role="instructor", username="giang_vien")
    instructors.assign(instructor, builders.course(), instructor)
    db.session.commit()
    auth.login("giang_vien")
    return client


@pytest.fixture
def no_job_left_running():
    """Wait for the jobs a test started in threads, so none outlives its database."""
    yield
    jobs.wait_for_local_jobs()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def row_count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_events(name: str) -> list[AuditEvent]:
    """The audit trail's events of this name, oldest first."""
    return list(db.session.scalars(sa.select(AuditEvent).filter_by(event=name).order_by(AuditEvent.id)))


class Figures:
    """One-line figures the security-bar tests report; printed at the end of the run."""

    def __init__(self):
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)


_FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return _FIGURES


def pytest_sessionfinish(session):
    """An xdist worker hands its figures to the controller, which prints them all."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["security_figures"] = _FIGURES.lines


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist's hook, on the controller: collect the figures of a worker that has finished."""
    _FIGURES.lines.extend(getattr(node, "workeroutput", {}).get("security_figures", []))


def pytest_terminal_summary(terminalreporter):
    if _FIGURES.lines:
        terminalreporter.section("Security bar figures")
        for line in _FIGURES.lines:
            terminalreporter.write_line(line)
