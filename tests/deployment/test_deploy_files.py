"""The files in deploy/ agree with the app: every setting has a line in the env template, the
upload limits match, and gunicorn accepts its config. Fast; no services needed."""

import re
import subprocess

from config import Config
from tests.deployment.stack import DEPLOY, REPO, VENV_BIN, read_env_file, render_nginx_site

ENV_READ = re.compile(r"""os\.(?:environ\.get|getenv)\(\s*["']([A-Z0-9_]+)["']"""
                      r"""|os\.environ\[["']([A-Z0-9_]+)["']\]""")


def test_the_env_template_lists_every_variable_config_reads():
    source = (REPO / "config.py").read_text(encoding="utf-8")
    read = {a or b for a, b in ENV_READ.findall(source)}
    template = (DEPLOY / "hocso.env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?([A-Z0-9_]+)=", template, re.MULTILINE))
    assert read, "config.py reads no variable? the pattern is out of date"
    assert read - listed == set(), "add these to deploy/hocso.env.example"


def test_the_env_template_does_not_ship_a_usable_secret():
    assert read_env_file(DEPLOY / "hocso.env.example")["SECRET_KEY"] == ""


def test_nginx_accepts_the_uploads_the_app_accepts():
    site = render_nginx_site({})
    size = re.search(r"client_max_body_size (\d+)m;", site)
    assert size, "client_max_body_size missing from deploy/nginx/hocso.conf"
    assert int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_gunicorn_accepts_its_config():
    command = [str(VENV_BIN / "gunicorn"), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py")]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 48, "HOCSO_ENV": "production",
                               "PUBLIC_BASE_URL": "https://hocso.example.gov.vn"})
    assert done.returncode == 0, done.stderr[-2000:]
