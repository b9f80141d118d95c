"""Configuration classes. This is the only module that reads the environment."""

import os
import secrets
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
MIN_SECRET_KEY_LENGTH = 32


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def served_base_url(host: str, port: str) -> str:
    """The address a browser uses to reach what `flask run --host HOST --port PORT` serves.

    Bound to every interface, the server is reached from a phone on the same network through
    this machine's own address, so that is what a certificate's QR code must hold."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding to it
        host = _outgoing_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _outgoing_address() -> str:
    """This machine's address on its default route; a UDP connect sends no packet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answered, only routed
            return probe.getsockname()[0]
        except OSError:  # no network at all: only this machine can reach the server
            return "127.0.0.1"


def public_base_url_problem(url: str) -> str | None:
    """What is wrong with a PUBLIC_BASE_URL, or None: an http(s) origin, served at `/`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must start with https:// (or http://) and name the host"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "Hocso is served at / : give the address without a path, query or #"
    return None


OIDC_PROVIDER_SETTINGS = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "LABEL", "MATCH_CLAIM",
                          "MATCH_FIELD", "CREATE_UNIT", "SCOPES")


def oidc_providers(environ=os.environ) -> dict[str, dict[str, str]]:
    """OpenID Connect providers named in OIDC_PROVIDERS ("tinh,so"), each with its settings
    read from OIDC_<NAME>_<SETTING>; app/sso/settings.py checks them at start-up."""
    names = [name.strip().lower() for name in environ.get("OIDC_PROVIDERS", "").split(",")]
    return {
        name: {key: environ.get(f"OIDC_{name.upper()}_{key}", "").strip()
               for key in OIDC_PROVIDER_SETTINGS}
        for name in names if name
    }


def instance_secret_key(path: Path) -> str:
    """This instance's own random secret: made on first run (mode 0600), read ever after.

    Written to a temporary file and linked into place, so that gunicorn workers starting
    together agree on one secret and none reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: use its secret
        finally:
            os.unlink(temporary)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(f"{path} holds no usable secret: delete it to make a new one.")
    return secret


class Config:
    """Embedded default: SQLite in instance/, memory rate-limit storage."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", _sqlite_url(INSTANCE_DIR / "hocso.sqlite3")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))

    # Public address printed in certificate QR codes and login slips; never taken from the
    # request. Production refuses to start without it; development follows `flask run`.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    CERTIFICATE_ISSUER = os.environ.get(
        "CERTIFICATE_ISSUER", "Sở Khoa học và Công nghệ tỉnh Lào Cai"
    )
    CERTIFICATE_SIGNER_NAME = os.environ.get("CERTIFICATE_SIGNER_NAME", "Nguyễn Văn An")
    CERTIFICATE_SIGNER_TITLE = os.environ.get("CERTIFICATE_SIGNER_TITLE", "Giám đốc")
    PDF_RENDER_TIMEOUT_SECONDS = int(os.environ.get("PDF_RENDER_TIMEOUT_SECONDS", "30"))
    # The key that signs every certificate PDF (PAdES): a PKCS#12 file, or a PEM key and
    # certificate (plus the CA's intermediate certificates, PEM); the passphrase of either.
    # Without one the PDFs are not signed (production logs a warning at start-up).
    CERTIFICATE_SIGNING_PKCS12 = os.environ.get("CERTIFICATE_SIGNING_PKCS12", "")
    CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
    CERTIFICATE_SIGNING_CERT = os.environ.get("CERTIFICATE_SIGNING_CERT", "")
    CERTIFICATE_SIGNING_CHAIN = os.environ.get("CERTIFICATE_SIGNING_CHAIN", "")
    CERTIFICATE_SIGNING_PASSPHRASE = os.environ.get("CERTIFICATE_SIGNING_PASSPHRASE", "")
    # An RFC 3161 timestamp server: signatures become PAdES B-T (a trusted signing time).
    CERTIFICATE_SIGNING_TIMESTAMP_URL = os.environ.get("CERTIFICATE_SIGNING_TIMESTAMP_URL", "")
    CERTIFICATE_SIGNING_DEVELOPMENT_KEY = False  # the verify page then says so
    # Sign the print-ready batch PDF as a whole (the ZIP holds each certificate's own signed PDF).
    CERTIFICATE_SIGN_PRINT_BATCH = os.environ.get("CERTIFICATE_SIGN_PRINT_BATCH", "1") == "1"
    # A PDF uploaded to the verify page; a request over MAX_CONTENT_LENGTH is refused unread.
    VERIFY_UPLOAD_MAX_BYTES = 1024 * 1024
    # Render a new certificate's PDF in a background thread after the completing commit.
    CERTIFICATE_PDF_IN_BACKGROUND = True

    # xAPI statements for the province's learning record store (app/xapi; README, "Connecting to
    # the province's systems"). Empty XAPI_LRS_URL: off, and no statement is even stored.
    XAPI_LRS_URL = os.environ.get("XAPI_LRS_URL", "")  # the endpoint: statements go to <it>/statements
    XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME", "")  # HTTP Basic: the LRS's key ...
    XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD", "")  # ... and secret
    XAPI_TIMEOUT_SECONDS = float(os.environ.get("XAPI_TIMEOUT_SECONDS", "10"))  # per request
    # Tries of one statement before it is failed (an admin can send failed ones again): 30 s after
    # the first failure, doubling up to an hour, so 24 tries span about 18 hours.
    XAPI_MAX_ATTEMPTS = int(os.environ.get("XAPI_MAX_ATTEMPTS", "24"))
    XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", "50"))  # statements per request

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    REDIS_URL = os.environ.get("REDIS_URL", "")  # /health checks it when set
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    JOBS_REDIS_URL = os.environ.get("REDIS_URL", "")  # empty: jobs run in a thread of the web process
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "hocso-jobs")
    JOBS_LOCAL_SWEEP = True  # each web process looks for jobs whose worker died, and expired results
    # Login slips hold one-time passwords: deleted when downloaded, or after this many minutes.
    JOB_PRIVATE_RESULT_MINUTES = int(os.environ.get("JOB_PRIVATE_RESULT_MINUTES", "30"))
    RATELIMIT_HEADERS_ENABLED = True
    # Redis unreachable: count in this process's memory (and log a warning) rather than fail.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    VERIFY_RATE_LIMIT = "60 per minute"
    # Check-ins per learner: a 6-character code from 31 symbols cannot be guessed at this pace.
    LIVE_CHECKIN_RATE_LIMIT = "10 per minute"
    # Login throttling lives in the database (app/accounts/throttle.py), shared by every worker.
    LOGIN_CLIENT_LIMIT = "10 per minute;100 per hour"  # failed logins from one client address
    LOGIN_ACCOUNT_LIMIT = "100 per hour"  # failed logins for one account, from anywhere
    LOGIN_BACKOFF_FREE_FAILURES = 5  # per account and client, before the waits start
    LOGIN_BACKOFF_MAX_SECONDS = 15 * 60  # the waits double up to this
    # Proxies in front of the app that set X-Forwarded-For/-Proto (nginx: 1); 0 trusts none.
    # Their X-Request-ID and X-Request-Start headers are believed too.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

    # Sign-in through the province's identity service (OpenID Connect, app/sso/): off unless
    # OIDC_PROVIDERS names one; see the README, "Connecting to the province's systems".
    OIDC_PROVIDERS = oidc_providers()
    # The roles that may still log in with a password; a role left out must use a provider.
    LOCAL_PASSWORD_ROLES = tuple(
        role.strip() for role in os.environ.get(
            "LOCAL_PASSWORD_ROLES", "learner,instructor,admin").split(",") if role.strip()
    )

    # Password hashing (argon2id; see app/accounts/passwords.py). One of OWASP's equally strong
    # settings: 7 MiB, 5 iterations, 1 lane -- about 11 ms per check on one core here through
    # libsodium (18 ms through argon2-cffi), against 24 ms for 19 MiB x 2 (the smaller block stays
    # in the processor's cache). With ARGON2_PARALLELISM > 1, argon2-cffi does the hashing.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "5"))
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", "7168"))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
    # Password checks running at once in one process, and how long a login waits for its turn
    # before it is told "busy, try again" (503).
    LOGIN_HASH_CONCURRENCY = int(os.environ.get("LOGIN_HASH_CONCURRENCY", "1"))
    LOGIN_HASH_WAIT_SECONDS = float(os.environ.get("LOGIN_HASH_WAIT_SECONDS", "10"))

    # A request that waited longer than this in the proxy's and server's queues is answered
    # "busy, try again" (503) instead of late; needs a trusted proxy setting X-Request-Start.
    REQUEST_QUEUE_DEADLINE_SECONDS = float(os.environ.get("REQUEST_QUEUE_DEADLINE_SECONDS", "10"))
    # Responses compressed for the browsers that accept it (brotli, else gzip). Every page is
    # compressed anew (it holds the learner's name and form tokens), so the levels are the cheap
    # ones: on a 19 KB module page brotli 2 takes 0.10 ms for 7.1 KB, brotli 4 0.31 ms for 6.7 KB;
    # gzip 4 0.21 ms for 6.6 KB, gzip 6 0.40 ms for 6.4 KB.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_LEVEL = 4
    COMPRESS_BR_LEVEL = 2
    COMPRESS_MIN_SIZE = 500
    COMPRESS_REGISTER = True
    # Pages carry no ETag (each holds its own form tokens), so a conditional GET of one can never
    # be answered 304: evaluating it only formatted a Date header and parsed Range on every page.
    # Static files answer conditional requests themselves (send_file).
    COMPRESS_EVALUATE_CONDITIONAL_REQUEST = False

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a commune leader may read a module for hours
    # Sessions end on their own (app/accounts/session_lifetime.py). Hocso is often used on a
    # computer shared at the commune office, so the defaults are those of online banking:
    # 30 minutes without a request logs out (a session left open when she walks away is not
    # usable for long), and 12 hours after login a session ends whatever happens (a stolen
    # cookie is worth one working day at most). Reading a module or answering a quiz for
    # half an hour without a click is rare; if it happens, logging in again brings her back
    # to the same page and the same open attempt.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_LIFETIME_HOURS = int(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    # The last-request time is written to the cookie at most this often: most responses then
    # carry no Set-Cookie, which on a 2G line is bytes saved on every page.
    SESSION_ACTIVITY_WRITE_SECONDS = 60
    PREFERRED_URL_SCHEME = "http"
    DEMO_DATA_ALLOWED = True

    # LTI 1.3 (app/lti): Hocso as a tool of the province's Moodle. Off unless LTI_PLATFORMS_FILE
    # names a JSON file of registered platforms (pylti1p3's format, see README). The tool's RSA
    # key (PEM) signs its grade requests and is published at /lti/jwks; development makes one in
    # instance/, production needs LTI_PRIVATE_KEY_FILE. Learners created by a first launch go in
    # the unit LTI_CREATE_UNIT (a code or name; empty: no unit).
    LTI_PLATFORMS_FILE = os.environ.get("LTI_PLATFORMS_FILE", "")
    LTI_PRIVATE_KEY_FILE = os.environ.get("LTI_PRIVATE_KEY_FILE", "")
    LTI_CREATE_UNIT = os.environ.get("LTI_CREATE_UNIT", "")
    LTI_HTTP_TIMEOUT_SECONDS = float(os.environ.get("LTI_HTTP_TIMEOUT_SECONDS", "10"))

    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json" (one object a line) or "text"
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Set for gunicorn with several workers: metrics are shared through files in this directory.
    PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that must not run: no configuration runs without a secret."""
        if not cls.SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY before starting.")


class DevelopmentConfig(Config):
    """`make run`: without SECRET_KEY, a random secret of this instance (instance/secret_key)."""

    SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"
    SIGNING_KEY_FILE = INSTANCE_DIR / "development-signing-key.p12"
    LTI_DEVELOPMENT_KEY_FILE = INSTANCE_DIR / "development-lti-key.pem"
    # What `flask run` serves (`make run` sets both from HOST and PORT); without PUBLIC_BASE_URL
    # the QR codes point there, so a certificate made on `PORT=8000 make run` scans.
    SERVED_HOST = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    SERVED_PORT = os.environ.get("FLASK_RUN_PORT", "5000")

    @classmethod
    def check(cls) -> None:
        """Never a secret printed in the repository: make or read this instance's own secret,
        and, unless a signing key is configured, its own self-signed development signing key.
        The public address is the served one unless PUBLIC_BASE_URL says otherwise."""
        if not cls.PUBLIC_BASE_URL:
            cls.PUBLIC_BASE_URL = served_base_url(cls.SERVED_HOST, cls.SERVED_PORT)
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = instance_secret_key(cls.SECRET_KEY_FILE)
        if not (cls.CERTIFICATE_SIGNING_PKCS12 or cls.CERTIFICATE_SIGNING_KEY):
            from app.certificates.signing_keys import development_key_file

            path = development_key_file(cls.SIGNING_KEY_FILE, cls.CERTIFICATE_ISSUER)
            cls.CERTIFICATE_SIGNING_PKCS12 = str(path)
            cls.CERTIFICATE_SIGNING_PASSPHRASE = ""
            cls.CERTIFICATE_SIGNING_DEVELOPMENT_KEY = True
        if cls.LTI_PLATFORMS_FILE and not cls.LTI_PRIVATE_KEY_FILE:
            from app.lti.tool_keys import development_key_file as lti_development_key_file

            cls.LTI_PRIVATE_KEY_FILE = str(lti_development_key_file(cls.LTI_DEVELOPMENT_KEY_FILE))


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - the one configuration with a known secret
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Empty means "a fresh SQLite file per test"; CI sets DATABASE_URL to run on PostgreSQL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    JOBS_REDIS_URL = ""
    REDIS_URL = ""
    JOBS_LOCAL_SWEEP = False  # the worker thread ends when idle; tests call the sweep themselves
    PDF_RENDER_TIMEOUT_SECONDS = 60
    XAPI_LRS_URL = XAPI_LRS_USERNAME = XAPI_LRS_PASSWORD = ""  # tests that send start their own LRS
    CERTIFICATE_PDF_IN_BACKGROUND = False  # rendered before the view returns, so tests see it
    # No signing key: tests/conftest.py's app fixture adds a key pair made once per test session.
    CERTIFICATE_SIGNING_PKCS12 = CERTIFICATE_SIGNING_KEY = CERTIFICATE_SIGNING_CERT = ""
    CERTIFICATE_SIGNING_CHAIN = CERTIFICATE_SIGNING_PASSPHRASE = ""
    CERTIFICATE_SIGNING_TIMESTAMP_URL = ""
    TRUSTED_PROXY_HOPS = 0
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    PROMETHEUS_MULTIPROC_DIR = ""
    OIDC_PROVIDERS: dict[str, dict[str, str]] = {}  # tests/client/test_sso.py starts one
    LOCAL_PASSWORD_ROLES = ("learner", "instructor", "admin")
    LTI_PLATFORMS_FILE = LTI_PRIVATE_KEY_FILE = LTI_CREATE_UNIT = ""  # tests/client/test_lti.py sets them
    # Thousands of test users and logins: the lightest argon2id (the production parameters
    # are checked by their own tests, which set them).
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024


class ProductionConfig(Config):
    DEBUG = False  # a stray FLASK_DEBUG=1 must not turn the debugger on
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    DEMO_DATA_ALLOWED = False  # `flask demo create` prints its passwords: never in production

    @classmethod
    def check(cls) -> None:
        """Refuse to start without a real secret and the public address, from the environment."""
        if (not cls.SECRET_KEY or len(cls.SECRET_KEY) < MIN_SECRET_KEY_LENGTH
                or cls.SECRET_KEY == TestingConfig.SECRET_KEY):
            raise RuntimeError(
                "Set SECRET_KEY (at least 32 random characters) before starting in production."
            )
        if not cls.PUBLIC_BASE_URL:
            raise RuntimeError(
                "Set PUBLIC_BASE_URL before starting in production: the address learners and "
                "QR code readers open, such as https://hocso.example.gov.vn (it is printed in "
                "every certificate's QR code and on login slips)."
            )
        problem = public_base_url_problem(cls.PUBLIC_BASE_URL)
        if problem:
            raise RuntimeError(f"PUBLIC_BASE_URL={cls.PUBLIC_BASE_URL!r} is not usable: {problem}.")
        if cls.XAPI_LRS_URL and urlsplit(cls.XAPI_LRS_URL).scheme not in ("http", "https"):
            raise RuntimeError(f"XAPI_LRS_URL={cls.XAPI_LRS_URL!r} must start with https:// (or http://).")
        if cls.LTI_PLATFORMS_FILE and not cls.LTI_PRIVATE_KEY_FILE:
            raise RuntimeError("LTI_PLATFORMS_FILE is set: set LTI_PRIVATE_KEY_FILE too (the tool's RSA "
                               "key, PEM: `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`).")


def config_from_environment() -> type[Config]:
    """Pick the config class named by HOCSO_ENV (development by default)."""
    name = os.environ.get("HOCSO_ENV", "development")
    return {"production": ProductionConfig, "development": DevelopmentConfig}[name]
