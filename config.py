"""Configuration classes. This is the only module that reads the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105 - refused by ProductionConfig


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    """Embedded default: SQLite in instance/, memory rate-limit storage."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", _sqlite_url(INSTANCE_DIR / "hocso.sqlite3")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))

    # Public address printed in certificate QR codes; never taken from the request.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    CERTIFICATE_ISSUER = os.environ.get(
        "CERTIFICATE_ISSUER", "Sở Khoa học và Công nghệ tỉnh Lào Cai"
    )
    CERTIFICATE_SIGNER_NAME = os.environ.get("CERTIFICATE_SIGNER_NAME", "Nguyễn Văn An")
    CERTIFICATE_SIGNER_TITLE = os.environ.get("CERTIFICATE_SIGNER_TITLE", "Giám đốc")
    PDF_RENDER_TIMEOUT_SECONDS = int(os.environ.get("PDF_RENDER_TIMEOUT_SECONDS", "30"))

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    JOBS_REDIS_URL = os.environ.get("REDIS_URL", "")  # empty: jobs run in a thread of the web process
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "hocso-jobs")
    JOBS_LOCAL_SWEEP = True  # each web process looks for jobs whose worker died, and expired results
    # Login slips hold one-time passwords: deleted when downloaded, or after this many minutes.
    JOB_PRIVATE_RESULT_MINUTES = int(os.environ.get("JOB_PRIVATE_RESULT_MINUTES", "30"))
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;100 per hour"
    VERIFY_RATE_LIMIT = "60 per minute"

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a commune leader may read a module for hours
    PREFERRED_URL_SCHEME = "http"

    @classmethod
    def check(cls) -> None:
        """Refuse settings that must not run; the embedded default accepts its dev secret."""


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    # Empty means "a fresh SQLite file per test"; CI sets DATABASE_URL to run on PostgreSQL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    JOBS_REDIS_URL = ""
    JOBS_LOCAL_SWEEP = False  # the worker thread ends when idle; tests call the sweep themselves
    PDF_RENDER_TIMEOUT_SECONDS = 60


class ProductionConfig(Config):
    DEBUG = False  # a stray FLASK_DEBUG=1 must not turn the debugger on
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a secret anyone can read in this repository."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError(
                "Set SECRET_KEY (at least 32 random characters) before starting in production."
            )


def config_from_environment() -> type[Config]:
    """Pick the config class named by HOCSO_ENV (development by default)."""
    name = os.environ.get("HOCSO_ENV", "development")
    return {"production": ProductionConfig, "development": DevelopmentConfig}[name]
