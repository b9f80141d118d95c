"""A learning record store for the tests: a small WSGI app on loopback that checks what it gets.

It speaks the part of xAPI 1.0.3 Hocso uses (POST and PUT /statements), checks each statement
twice over (the structure the spec requires, by hand, and the schema file with jsonschema), keeps
one statement per id like a real LRS, and can be told to fail the next requests.
"""

import base64
import json
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from jsonschema import Draft202012Validator
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SCHEMA = json.loads((Path(__file__).parents[1] / "app" / "xapi" / "statement.schema.json").read_text())
USERNAME, PASSWORD = "hocso-key", "hocso-secret"  # noqa: S105 - the stub's own test credentials


def structure_problems(statement) -> list[str]:
    """What xAPI requires of every stored statement, checked without the schema."""
    if not isinstance(statement, dict):
        return ["not an object"]
    found = [f"no {key}" for key in ("id", "actor", "verb", "object", "timestamp") if key not in statement]
    try:
        uuid.UUID(str(statement.get("id")))
    except ValueError:
        found.append("id is not a UUID")
    actor = statement.get("actor") or {}
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor]
    if len(identifiers) != 1:
        found.append("actor needs exactly one identifier")
    if "account" in actor and not {"homePage", "name"} <= set(actor["account"]):
        found.append("account needs homePage and name")
    if not str((statement.get("verb") or {}).get("id", "")).startswith(("http://", "https://")):
        found.append("verb id is not an IRI")
    if not str((statement.get("object") or {}).get("id", "")).startswith(("http://", "https://")):
        found.append("object id is not an IRI")
    try:
        if datetime.fromisoformat(str(statement.get("timestamp"))).tzinfo is None:
            found.append("timestamp has no time zone")
    except ValueError:
        found.append("timestamp is not ISO 8601")
    return found


class LrsStub:
    def __init__(self) -> None:
        self.stored: dict[str, dict] = {}
        self.received: list[str] = []  # every statement id that arrived, repeats included
        self.methods: list[str] = []
        self.errors: list[str] = []  # what was wrong with a request; a test expects none
        self.failures: list[int | str] = []  # next requests: a status code, or "timeout"
        self.hang_seconds = 2.0
        self.on_request = None  # called at the start of each request (in the server's thread)
        self.lock = threading.Lock()
        self.validator = Draft202012Validator(SCHEMA)
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LrsStub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)

    def fail_next(self, *failures: int | str) -> None:
        self.failures.extend(failures)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if self.on_request:
            self.on_request()
        response = self.answer(request)
        return response(environ, start_response)

    def answer(self, request: Request) -> Response:
        self.methods.append(request.method)
        failure = self.failures.pop(0) if self.failures else None
        if isinstance(failure, int):
            return Response("down for maintenance", status=failure)
        problem = self.request_problem(request)
        if problem:
            self.errors.append(problem)
            return Response(problem, status=401 if "credentials" in problem else 400)
        body = json.loads(request.get_data())
        batch = body if isinstance(body, list) else [body]
        invalid = [f"{s.get('id')}: {p}" for s in batch for p in self.statement_problems(s)]
        if invalid:
            self.errors.extend(invalid)
            return Response("; ".join(invalid), status=400)
        with self.lock:
            response = self.store(request, batch)
        if failure == "timeout":  # stored, but the answer comes too late to be read
            time.sleep(self.hang_seconds)
        return response

    @staticmethod
    def request_problem(request: Request) -> str | None:
        if request.path != "/xapi/statements" or request.method not in ("POST", "PUT"):
            return f"unexpected {request.method} {request.path}"
        if request.headers.get("X-Experience-API-Version") != "1.0.3":
            return "no X-Experience-API-Version: 1.0.3 header"
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return "wrong credentials"
        if not request.mimetype == "application/json":
            return "not JSON"
        if request.method == "PUT" and not request.args.get("statementId"):
            return "PUT without statementId"
        return None

    def statement_problems(self, statement) -> list[str]:
        return structure_problems(statement) + [e.message for e in self.validator.iter_errors(statement)]

    def store(self, request: Request, batch: list[dict]) -> Response:
        for statement in batch:
            self.received.append(statement["id"])
        if request.method == "PUT":
            statement = batch[0]
            if statement["id"] != request.args["statementId"]:
                self.errors.append("statementId differs from the statement's id")
                return Response("id mismatch", status=400)
            known = self.stored.get(statement["id"])
            if known is not None and known != statement:
                self.errors.append(f"{statement['id']}: sent again with other content")
                return Response("conflict", status=409)
            self.stored[statement["id"]] = statement
            return Response(status=204)
        if any(statement["id"] in self.stored for statement in batch):
            return Response("a statement with this id exists", status=409)  # the whole batch is refused
        for statement in batch:
            self.stored[statement["id"]] = statement
        return Response(json.dumps([s["id"] for s in batch]), status=200, mimetype="application/json")
