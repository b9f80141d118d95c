"""Issue 10 item 4: numbers that are not quite numbers gave 500s; each now a 400/404 or ignored."""

from werkzeug.routing import IntegerConverter

from tests import builders
from tests.conftest import PASSWORD
from tests.security.conftest import log_in_as

NOT_IDS = [str(2**63), str(2**64), "9" * 30, "0", "٣", "²"]  # Arabic-Indic three, superscript two
PLACEHOLDER = 987654321


def int_routes(app) -> list[tuple[str, str]]:
    """(method, url with PLACEHOLDER for the id) for every rule with an `<int:>` argument."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, converter in rule._converters.items()
                if isinstance(converter, IntegerConverter)]
        if not ints:
            continue
        values = {name: "khoa-mau" for name in rule.arguments} | dict.fromkeys(ints, PLACEHOLDER)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, adapter.build(rule.endpoint, values, method=method)))
    return found


def test_issue10_4_ids_past_2_63_in_int_routes_get_404(app, client, world, figures):
    log_in_as(client, world.admin)
    routes = int_routes(app)
    assert len(routes) >= 8  # users, intakes, units: pages and their actions
    answers = {}
    for method, url in routes:
        for value in NOT_IDS:
            response = client.open(url.replace(str(PLACEHOLDER), value), method=method)
            answers[(method, url, value)] = response.status_code
            if response.status_code == 404:
                assert "Không tìm thấy trang" in response.get_data(as_text=True)
    wrong = {key: status for key, status in answers.items() if status != 404}
    assert wrong == {}
    figures.add(f"issue 10.4: {len(answers)} requests with ids past 2^63, 0 or non-ASCII digits "
                f"over {len(routes)} int routes → {sum(s >= 500 for s in answers.values())} 5xx")


def test_issue10_4_a_superscript_digit_as_a_quiz_answer_is_ignored(client, world):
    log_in_as(client, world.learner)
    answers = {key: "²" for key in builders.answers_for("gioi-thieu")}
    response = client.post(f"/attempts/{world.attempt_token}", data=answers)
    assert response.status_code == 302  # graded, the unreadable answers counted as none


def test_issue10_4_control_characters_in_next_are_ignored_after_login(client, make_user):
    make_user(username="lan")
    response = client.post("/login?next=/%0d%0aX:1", data={"login": "lan", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses")
    assert "X" not in response.headers


def test_issue10_4_a_superscript_page_number_shows_the_first_page(client, world):
    log_in_as(client, world.admin)
    for url in ("/admin/audit?page=²", "/admin/users/?page=²", "/admin/certificates?page=²"):
        assert client.get(url).status_code == 200, url


def test_bounded_ids_still_reach_their_pages(client, world):
    log_in_as(client, world.admin)
    assert client.get(f"/admin/users/{world.bystander.id}").status_code == 200
    assert client.get(f"/admin/users/{2**63 - 1}").status_code == 404
