"""Every route of the URL map as a concrete request, so a new route is covered without edits.

A rule whose argument has no sample value here fails the tests that use it, with a message
naming the argument: add a value, and the new route is checked like the others.
"""

from dataclasses import dataclass

from flask import Flask

from app.security.access import access_policy

IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
# Routes that end the session are requested last, so the others run logged in.
LAST_ENDPOINTS = ("accounts.logout",)


@dataclass(frozen=True)
class RouteRequest:
    endpoint: str
    method: str
    url: str
    policy: str | None  # the view's declared access policy, e.g. "public", "roles:admin"


def sample_values(world) -> dict[str, str]:
    """Argument values that reach the views: "endpoint:argument" overrides "argument"."""
    return {
        "slug": "khoa-mau",
        "module_slug": "gioi-thieu",
        "learning.mark_read:module_slug": "doc-them",
        "token": world.attempt_token,
        "code": world.certificate_code,
        "filename": "hinh.png",
        "static:filename": "hocso.css",
        "user_id": str(world.bystander.id),
        "unit_id": str(world.learner.unit_id),
        "intake_id": "1",
        "event": "opened",
        "session_id": "1",
        "provider_name": "tinh",  # no provider configured in the tests: the SSO routes answer 404
    }


def route_requests(app: Flask, values: dict[str, str]) -> list[RouteRequest]:
    """One request per rule and method (HEAD and OPTIONS aside), built with url_for's rules."""
    adapter = app.url_map.bind("localhost")
    requests = []
    for rule in app.url_map.iter_rules():
        missing = [a for a in rule.arguments if f"{rule.endpoint}:{a}" not in values and a not in values]
        assert not missing, (
            f"route {rule.rule} has arguments {missing} with no sample value: "
            "add one in tests/security/routes.py"
        )
        arguments = {a: values.get(f"{rule.endpoint}:{a}", values.get(a)) for a in rule.arguments}
        for method in sorted(rule.methods - IGNORED_METHODS):
            url = adapter.build(rule.endpoint, arguments, method=method)
            requests.append(RouteRequest(rule.endpoint, method, url, access_policy(app, rule.endpoint)))
    # Admin actions may change the other users, so they come after the learner's routes.
    return sorted(
        requests,
        key=lambda r: (r.endpoint in LAST_ENDPOINTS, "admin" in (r.policy or ""), r.endpoint, r.method),
    )
