"""Deny by default: every endpoint declares a policy, and anonymous users are kept out."""

import pytest

from app.security.access import access_policy

# Every endpoint and the policy it must declare. A new route missing here fails the suite.
EXPECTED_POLICIES = {
    "static": "public",
    "health.health": "public",
    "metrics.metrics": "loopback_or_roles:admin",  # tests/operations/test_metrics.py checks it
    "accounts.login": "public",
    "accounts.set_language": "public",
    "accounts.logout": "authenticated",
    "accounts.change_password": "authenticated",
    "learning.index": "public",
    "learning.my_courses": "authenticated",
    "learning.course": "authenticated",
    "learning.enrol": "authenticated",
    "learning.module": "authenticated",
    "learning.mark_read": "authenticated",
    "learning.course_file": "authenticated",
    "quizzes.start": "authenticated",
    "quizzes.attempt": "authenticated",
    "quizzes.submit": "authenticated",
    "certificates.my_certificates": "authenticated",
    "certificates.download": "authenticated",
    "certificates.verify_form": "public",
    "certificates.verify": "public",
    "certificates.verify_json": "public",
    "certificates.verify_file": "public",
    "admin.home": "roles:admin",
    "admin.audit_log": "roles:admin",
    "authoring.dashboard": "roles:admin,instructor",
    "authoring.guide": "roles:admin,instructor",
    "authoring.course": "roles:admin,instructor",
    "authoring.question_statistics": "roles:admin,instructor",
    "authoring.edit_module": "roles:admin,instructor",
    "authoring.new_module": "roles:admin,instructor",
    "authoring.history": "roles:admin,instructor",
    "authoring.restore": "roles:admin,instructor",
    "authoring.upload_image": "roles:admin,instructor",
    "authoring.assignments": "roles:admin",
    "reports.index": "roles:admin",
    "reports.funnel": "roles:admin",
    "reports.export_csv": "roles:admin",
    "reports.export_xlsx": "roles:admin",
    "reports.learner": "roles:admin",
    "certificates_admin.search": "roles:admin",
    "certificates_admin.detail": "roles:admin",
    "certificates_admin.revoke": "roles:admin",
    "certificates_admin.correct_name": "roles:admin",
    "certificates_admin.reissue": "roles:admin",
    "certificates_admin.print_form": "roles:admin",
    "certificates_admin.print_job": "roles:admin",
    "certificates_admin.print_download": "roles:admin",
    "enrolment.import_learners": "roles:admin",
    "enrolment.confirm_import": "roles:admin",
    "enrolment.slips_job": "roles:admin",
    "enrolment.slips_download": "roles:admin",
    "jobs.index": "roles:admin",
    "jobs.retry": "roles:admin",
    "xapi.status": "roles:admin",
    "xapi.retry_failed": "roles:admin",
    "enrolment.import_template": "roles:admin",
    "enrolment.intakes": "roles:admin",
    "enrolment.intake": "roles:admin",
    "enrolment.enrol": "roles:admin",
    "enrolment.edit_intake": "roles:admin",
    "user_admin.users": "roles:admin",
    "user_admin.user": "roles:admin",
    "user_admin.reset_password": "roles:admin",
    "user_admin.deactivate": "roles:admin",
    "user_admin.reactivate": "roles:admin",
    "units.tree": "roles:admin",
    "units.create": "roles:admin",
    "units.detail": "roles:admin",
    "units.rename": "roles:admin",
    "units.move": "roles:admin",
    "units.merge": "roles:admin",
    "offline.service_worker": "public",
    "offline.fallback": "public",
    "offline.manifest": "authenticated",
    "offline.record": "authenticated",
    "live_sessions.course_sessions": "roles:admin,instructor",
    "live_sessions.new_session": "roles:admin,instructor",
    "live_sessions.edit_session": "roles:admin,instructor",
    "live_sessions.delete_session": "roles:admin,instructor",
    "live_sessions.roster": "roles:admin,instructor",
    "live_sessions.present": "roles:admin,instructor",
    "live_sessions.import_report": "roles:admin,instructor",
    "live_sessions.confirm_import": "roles:admin,instructor",
    "live_sessions.check_in": "authenticated",
    "sso.start": "public",  # 404 unless the provider is configured (tests/client/test_sso.py)
    "sso.callback": "public",
    "lti.jwks": "public",  # tests/client/test_lti.py covers the LTI routes with LTI configured
    "lti.login": "public",
    "lti.launch": "public",
    "lti.course": "authenticated",
}

SAMPLE_ARGS = {"slug": "khoa-mau", "module_slug": "gioi-thieu", "token": "t" * 22,
               "code": "AAAAA-AAAAA-AAAAA-AAAAA", "filename": "images/a.png",
               "unit_id": 1, "user_id": 1, "intake_id": 1, "event": "opened", "session_id": 1,
               "provider_name": "tinh"}


def test_every_endpoint_declares_the_expected_policy(app):
    declared = {rule.endpoint: access_policy(app, rule.endpoint) for rule in app.url_map.iter_rules()}
    assert declared == EXPECTED_POLICIES


def _requests(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.build({k: v for k, v in SAMPLE_ARGS.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_anonymous_users_reach_only_public_endpoints(app, client):
    outsider = {"REMOTE_ADDR": "203.0.113.7"}  # loopback policies let the host itself in
    for endpoint, method, url in _requests(app):
        response = client.open(url, method=method, environ_overrides=outsider)
        assert response.status_code < 500, (endpoint, method)
        if EXPECTED_POLICIES[endpoint].startswith("loopback_or_"):
            assert response.status_code == 404, (endpoint, method)
        elif EXPECTED_POLICIES[endpoint] != "public":
            assert response.status_code == 302, (endpoint, method)
            assert "/login" in response.headers["Location"], (endpoint, method)


@pytest.mark.parametrize("role", ["learner", "instructor", "admin"])
def test_every_role_gets_no_server_error_anywhere(app, client, auth, make_user, role):
    make_user(role=role, username="someone")
    auth.login("someone")
    for endpoint, method, url in _requests(app):
        if endpoint == "accounts.logout":
            continue
        response = client.open(url, method=method)
        assert response.status_code < 500, (endpoint, method, response.status_code)
