"""A production stack on loopback for the deployment test: PostgreSQL database, Redis, two
gunicorn nodes, the worker and nginx, each started from the files in deploy/ as a province would.

Only loopback addresses and free ports; everything lives in one temp dir and is removed, with the
database and every process, when the stack closes (also after a failure).
"""

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
VENV_BIN = REPO / ".venv" / "bin"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NGINX = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
# Variables of the test's own environment that would point the stack elsewhere.
INHERITED_SETTINGS = re.compile(r"^(DATABASE_URL|REDIS_URL|HOCSO_.*|FLASK_.*|SECRET_KEY|TRUSTED_PROXY_HOPS|"
                                r"PUBLIC_BASE_URL|PROMETHEUS_MULTIPROC_DIR|WEB_CONCURRENCY|COURSES_DIR)$")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def missing_service(reason: str) -> None:
    """Skip on a workstation without the service; in CI the deployment test must not skip."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"deployment test cannot run in CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.2):
    """Call `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, http.client.HTTPException, psycopg.Error) as error:
            last_error, result = error, None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf_token(self) -> str:
        match = CSRF_FIELD.search(self.text)
        assert match, f"no CSRF token in the page (status {self.status})"
        return match.group(1)


@dataclass
class Client:
    """A tiny browser: one connection target, a source address, cookies, CSRF Referer.

    `origin` is the public https address the app believes it serves; `connect` is where the
    bytes go (nginx, or one node directly with the headers nginx would add).
    """

    origin: str
    connect: tuple[str, int]
    tls: bool = True
    source: str = "127.0.0.1"
    proxy_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def via(self, connect: tuple[str, int], tls: bool, proxy_headers: dict[str, str]) -> "Client":
        """The same browser (same cookies, shared) talking to another address."""
        return Client(self.origin, connect, tls, self.source, proxy_headers, self.cookies)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        host, port = self.connect
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the stack's self-signed certificate
            connection = http.client.HTTPSConnection(host, port, timeout=60, context=context,
                                                     source_address=(self.source, 0))
        else:
            connection = http.client.HTTPConnection(host, port, timeout=60,
                                                    source_address=(self.source, 0))
        sent = {"Host": self.origin.split("://", 1)[1], **self.proxy_headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            reply = connection.getresponse()
            response = Response(reply.status, reply.headers, reply.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._store_cookie(header)
        return response

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict | list, csrf: bool = True) -> Response:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            fields.append(("csrf_token", self.csrf))
        expanded = [(k, v) for k, values in fields
                    for v in (values if isinstance(values, list) else [values])]
        return self.request("POST", path, urlencode(expanded).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{self.origin}{path}",  # Flask-WTF checks it on https
        })

    @property
    def csrf(self) -> str:
        """The session's CSRF token, from the login page or (logged in) the courses page."""
        response = self.get("/login")
        if response.status == 302:
            response = self.get("/courses")
        return response.csrf_token()

    def log_in(self, login: str, password: str) -> Response:
        token = self.get("/login").csrf_token()
        return self.post("/login", [("login", login), ("password", password), ("csrf_token", token)],
                         csrf=False)

    def _store_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def read_env_file(path: Path) -> dict[str, str]:
    """VAR=value lines as systemd's EnvironmentFile reads them (comments, double quotes)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return values


def render_nginx_site(replacements: dict[str, str]) -> str:
    """deploy/nginx/hocso.conf with its PROVINCE values replaced; every one must be found."""
    text = (DEPLOY / "nginx" / "hocso.conf").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/hocso.conf no longer contains {old!r}: update tests/deployment"
        text = text.replace(old, new)
    return text


class Stack:
    """Start with `start()`, stop with `close()` (idempotent, safe after a partial start)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hocso-deploy-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.database = f"hocso_deploy_{secrets.token_hex(4)}"
        self.scratch_databases: list[str] = []
        self.https_port, self.http_port = free_port(), free_port()
        self.node_ports = (free_port(), free_port())
        self.redis_port = free_port()
        self.origin = f"https://127.0.0.1:{self.https_port}"
        self.env_file = self.root / "hocso.env"
        self.course: dict = {}  # filled by the test once the database is ready

    # -- the pieces -------------------------------------------------------------------------
    def start(self) -> "Stack":
        self._check_tools()
        self._create_database(self.database)
        self._start_redis()
        self._write_env_file()
        self._make_certificate()
        return self

    def start_services(self) -> None:
        """App nodes, worker and nginx, once the database has been migrated and filled."""
        for port in self.node_ports:
            self._start_node(port)
        self.spawn("worker", [str(DEPLOY / "bin" / "hocso"), "jobs", "worker"])
        self._start_nginx()
        for port in self.node_ports:
            wait_until(lambda p=port: self.node_client(p).get("/health").status == 200, 90,
                       f"node {port} /health")
        wait_until(lambda: self.client().get("/health").status == 200, 30, "nginx /health")

    @property
    def database_url(self) -> str:
        return self.url_of(self.database)

    @staticmethod
    def url_of(database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"

    def settings(self) -> dict[str, str]:
        """The environment file's values, as systemd would pass them."""
        return read_env_file(self.env_file)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not INHERITED_SETTINGS.match(k)}
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def flask(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
              check: bool = True) -> subprocess.CompletedProcess:
        """`deploy/bin/hocso ARGS`: a flask command with the stack's environment file."""
        done = subprocess.run(
            [str(DEPLOY / "bin" / "hocso"), *args], cwd=REPO, capture_output=True, text=True,
            timeout=timeout, env={**self.base_env(), "HOCSO_ENV_FILE": str(self.env_file), **(env or {})},
        )
        if check and done.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed ({done.returncode}):\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**self.base_env(), "HOCSO_ENV_FILE": str(self.env_file), **(env or {})},
        )
        log.close()

    def stop(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text("utf-8", "replace")[-tail:] if path.exists() else ""

    # -- clients ------------------------------------------------------------------------------
    def client(self, source: str = "127.0.0.1") -> Client:
        """A browser reaching the site through nginx over https, from a loopback address."""
        return Client(self.origin, ("127.0.0.1", self.https_port), True, source)

    def node_client(self, port: int, forwarded_for: str = "127.0.0.9") -> Client:
        """A client of one node directly, sending the headers nginx would add."""
        return Client(self.origin, ("127.0.0.1", port), False, "127.0.0.1",
                      self.proxy_headers(forwarded_for))

    @staticmethod
    def proxy_headers(forwarded_for: str) -> dict[str, str]:
        return {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https",
                "X-Request-ID": secrets.token_hex(16)}

    # -- set-up steps -------------------------------------------------------------------------
    def _check_tools(self) -> None:
        for tool in (NGINX, shutil.which("redis-server") or "redis-server",
                     shutil.which("openssl") or "openssl"):
            if not Path(tool).is_file():
                missing_service(f"{tool} is missing (make system-deps installs it)")
        try:
            psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
        except psycopg.Error as error:
            missing_service(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {error}")

    def _create_database(self, name: str) -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        if name != self.database:
            self.scratch_databases.append(name)

    def create_scratch_database(self) -> str:
        name = f"hocso_deploy_scratch_{secrets.token_hex(4)}"
        self._create_database(name)
        return name

    def _drop_database(self, name: str) -> None:
        with contextlib.suppress(psycopg.Error), \
                psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _start_redis(self) -> None:
        self.spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                             "--save", "", "--appendonly", "no", "--daemonize", "no"])
        wait_until(self.redis_answers, 20, "redis-server")

    def redis_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    def stop_redis(self) -> None:
        self.stop("redis")

    def _write_env_file(self) -> None:
        """The template's variables with this stack's values (and the template's comments)."""
        values = {
            "HOCSO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "PUBLIC_BASE_URL": self.origin,
            "TRUSTED_PROXY_HOPS": "1",
            # 2 cores are shared by every test: one process per node, threads as configured.
            "WEB_CONCURRENCY": "1",
        }
        lines = []
        for line in (DEPLOY / "hocso.env.example").read_text(encoding="utf-8").splitlines():
            name = line.partition("=")[0].strip()
            if name in values and not line.startswith("#"):
                line = f"{name}={values.pop(name)}"
            lines.append(line)
        assert not values, f"deploy/hocso.env.example lacks {sorted(values)}"
        self.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _make_certificate(self) -> None:
        tls = self.root / "tls"
        tls.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
            check=True, capture_output=True, timeout=60,
        )

    def _start_node(self, port: int) -> None:
        run_dir = self.root / "run"
        metrics_dir = self.root / f"prometheus-{port}"
        run_dir.mkdir(exist_ok=True)
        metrics_dir.mkdir()
        env = {**self.settings(), "HOCSO_INSTANCE": str(port), "HOCSO_RUN_DIR": str(run_dir),
               "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.spawn(f"node-{port}", [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")], env)

    def _start_nginx(self) -> None:
        prefix = self.root / "nginx"
        (prefix / "logs").mkdir(parents=True)
        site = render_nginx_site({
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "server_name hocso.example.gov.vn;": "server_name 127.0.0.1;",
            "/etc/ssl/hocso/": f"{self.root / 'tls'}/",
            "server 127.0.0.1:8001 ": f"server 127.0.0.1:{self.node_ports[0]} ",
            "server 127.0.0.1:8002 ": f"server 127.0.0.1:{self.node_ports[1]} ",
            "/srv/hocso/current/app/static/": f"{REPO / 'app' / 'static'}/",
            "/var/log/nginx/": f"{prefix / 'logs'}/",
            "/var/www/letsencrypt": str(prefix / "acme"),
        })
        (prefix / "hocso.conf").write_text(site, encoding="utf-8")
        # Running as root, workers stay root so they can read the temp dir and the checkout.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'logs' / 'error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"  include {MIME_TYPES};\n  default_type application/octet-stream;\n"
            f"  access_log off;\n"
            + "".join(f"  {kind}_temp_path {prefix / kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {prefix / 'hocso.conf'};\n}}\n",
            encoding="utf-8",
        )
        command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx -t refused the site:\n{checked.stderr}"
        self.spawn("nginx", command)

    # -- tear-down ----------------------------------------------------------------------------
    def close(self) -> None:
        for name in reversed(list(self.processes)):  # nginx first, Redis last
            # Without Redis the worker cannot shut down cleanly: do not wait long for it.
            self.stop(name, timeout=5 if name == "worker" else 20)
        for name in [self.database, *self.scratch_databases]:
            self._drop_database(name)
        shutil.rmtree(self.root, ignore_errors=True)
