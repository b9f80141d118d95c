"""Who may commit: the view or command that owns the request's transaction, a job, or the
database module's boundary functions. A service adds and flushes; a commit inside one would
silently commit whatever its caller had staged (issue 11, item 6)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Modules that own transactions: views, commands, the job queue and its jobs, and the
# boundary functions in database.py.
OWNER_MODULES = ("views.py", "_views.py", "cli.py", "_job.py")
OWNER_PACKAGES = ("jobs",)
OWNER_FILES = {"database.py"}

# Functions elsewhere that run as a job of their own (no request around them) or end a request.
OWNER_FUNCTIONS = {
    ("audit/services.py", "write_pending_events"),  # teardown_request: after the view's own commit
    ("certificates/services.py", "_render_in_background"),  # a background thread's own session
    ("certificates/batch.py", "_stored_pdfs"),  # the print job, rendering PDFs never rendered
    ("demo.py", "create_demo_command"),  # `flask demo create`
}


def owns_transactions(relative: Path) -> bool:
    return (relative.name.endswith(OWNER_MODULES) or relative.parts[0] in OWNER_PACKAGES
            or str(relative) in OWNER_FILES)


def commits_outside_owners(root: Path = APP) -> list[str]:
    """file:line (function) of each `.commit()` call in a module or function that owns none."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if owns_transactions(relative):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (str(relative), function.name) in OWNER_FUNCTIONS:
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "commit"):
                    found.append(f"app/{relative}:{node.lineno} ({function.name})")
    return sorted(set(found))


def test_only_views_commands_and_jobs_commit():
    assert commits_outside_owners() == []


def test_the_check_sees_a_commit_in_a_service(tmp_path):
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "services.py").write_text(
        "def add_thing(thing):\n    db.session.add(thing)\n    db.session.commit()\n")
    (tmp_path / "things" / "views.py").write_text("def page():\n    db.session.commit()\n")
    assert commits_outside_owners(tmp_path) == ["app/things/services.py:3 (add_thing)"]


def test_every_listed_owner_function_still_exists():
    """A listed function that was renamed or moved would let a new one slip through unseen."""
    for file, name in OWNER_FUNCTIONS:
        tree = ast.parse((APP / file).read_text("utf-8"))
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in names, f"app/{file} has no function {name}"
