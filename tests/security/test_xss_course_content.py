"""Cases 1 and 2: course content with XSS payloads renders with no executable vector, at output."""

import markdown

from app.content.models import QuizVersion
from app.content.services import CourseContentError, sync_courses
from app.extensions import db
from tests import builders
from tests.security.own_scripts import without_own_scripts
from tests.security.payloads import JAVASCRIPT_URLS, OTHER_SCHEMES, PAYLOADS
from tests.security.vectors import app_route_check, executable_vectors

MODULE_SLUG = "xss-payloads"
RENDER_SITES = ("reading", "question prompt", "option", "explanation")
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def payload_module(payloads: list[str]) -> tuple[str, dict[int, int]]:
    """A module file with each payload in the reading part and as a question's prompt, option
    and explanation; and which payload each line holds."""
    lines = ["---", f"id: {MODULE_SLUG}", "title: Bài kiểm thử XSS", "order: 4", "minutes: 5", "---", ""]
    payload_at: dict[int, int] = {}

    def add(text: str, index: int | None = None) -> None:
        if index is not None:
            payload_at[len(lines) + 1] = index
        lines.append(text)

    add("## Nội dung")
    for index, payload in enumerate(payloads):
        add("")
        add(payload, index)
    add("")
    add("<!-- quiz -->")
    for index, payload in enumerate(payloads):
        add("")
        add(f"### {payload} {{#q-xss-{index:03d}}}", index)
        add("")
        add(f"- (x) {payload}", index)
        add("- ( ) Không")
        add("")
        add(f"> {payload}", index)
    return "\n".join(lines) + "\n", payload_at


def load_payload_module(courses_dir) -> list[str]:
    """Write the module and sync; payloads the loader refuses are left out. Returns the refused."""
    path = courses_dir / "khoa-mau" / "04-xss.md"
    (courses_dir / "khoa-mau" / "a.png").write_bytes(PNG_1X1)
    text, payload_at = payload_module(list(PAYLOADS))
    path.write_text(text, encoding="utf-8")
    try:
        sync_courses(courses_dir)
    except CourseContentError as error:
        db.session.rollback()
        errors = [p for p in error.problems if p.severity == "error"]
        assert all(p.path.endswith("04-xss.md") and p.line in payload_at for p in errors), errors
        refused = sorted({payload_at[p.line] for p in errors})
        kept = [p for i, p in enumerate(PAYLOADS) if i not in refused]
        path.write_text(payload_module(kept)[0], encoding="utf-8")
        sync_courses(courses_dir)
        db.session.commit()
        return [PAYLOADS[i] for i in refused]
    db.session.commit()
    return []


def pages_of_a_quiz_journey(client, module_slug: str) -> dict[str, str]:
    """The module page, the quiz attempt page and the result page, as the learner sees them."""
    pages = {"module": client.get(f"/courses/khoa-mau/modules/{module_slug}")}
    token = builders.start_attempt(client, module_slug)
    pages["attempt"] = client.get(f"/attempts/{token}")
    first_options = {f"q-q-xss-{i:03d}": "0" for i in range(len(PAYLOADS))}
    client.post(f"/attempts/{token}", data=first_options)
    pages["result"] = client.get(f"/attempts/{token}")
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def enrolled_learner(client, auth, make_user) -> None:
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")


def vectors_in(pages: dict[str, str], app) -> list[str]:
    known = app_route_check(app)
    return [f"{name}: {v}" for name, page in pages.items()
            for v in executable_vectors(without_own_scripts(page), known)]


def test_payload_list_covers_the_bar():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_course_file_with_payloads_renders_no_executable_vector(
    app, client, auth, make_user, courses_dir, figures
):
    refused = load_payload_module(courses_dir)
    enrolled_learner(client, auth, make_user)
    pages = pages_of_a_quiz_journey(client, MODULE_SLUG)
    vectors = vectors_in(pages, app)
    loaded = len(PAYLOADS) - len(refused)
    figures.add(
        f"case 1: {len(PAYLOADS)} payloads × {len(RENDER_SITES)} render sites → {len(vectors)} "
        f"executable vectors (course file → loader → 3 pages: {loaded} loaded, "
        f"{len(refused)} refused by the loader as unsafe links)"
    )
    assert vectors == []
    assert "Không" in pages["attempt"] and "Nội dung" in pages["module"]  # the pages did render


def test_loader_refuses_unsafe_schemes_in_links_and_src_attributes(app, courses_dir):
    refused = load_payload_module(courses_dir)
    link_syntax = ("<a href=", "[link](", "![", "[d](", "<img src=\"data:", "<img src=\"file:")
    unsafe_links = [
        p for p in (*JAVASCRIPT_URLS, *OTHER_SCHEMES)
        if p.startswith(link_syntax) and "livescript" not in p
    ]
    assert unsafe_links and set(unsafe_links) <= set(refused)


def inject_raw_module(module_slug: str, raw_pieces: list[str]) -> None:
    """Write unsanitised HTML straight into the module row and a quiz version (no loader)."""
    module = builders.module(module_slug)
    module.html = "\n".join(raw_pieces) + "<p>Nội dung thật</p>"
    module.toc_html = "\n".join(raw_pieces)
    questions = [
        {
            "id": f"q-xss-{i:03d}",
            "kind": "single",
            "html": raw,
            "explanation_html": raw,
            "options": [{"html": raw, "correct": True}, {"html": "Không", "correct": False}],
        }
        for i, raw in enumerate(raw_pieces)
    ]
    version = QuizVersion(
        module_id=module.id, content_hash="f" * 64, pass_mark=70,
        definition={"pass_mark": None, "questions": questions},
    )
    db.session.add(version)
    db.session.flush()
    module.quiz_version_id = version.id
    db.session.commit()


def test_every_payload_written_raw_into_the_database_is_cleaned_at_output(
    app, client, auth, make_user, figures
):
    raw = [markdown.markdown(p) for p in PAYLOADS]  # Python-Markdown keeps script and on*
    inject_raw_module("doc-them", raw)
    enrolled_learner(client, auth, make_user)
    pages = pages_of_a_quiz_journey(client, "doc-them")
    vectors = vectors_in(pages, app)
    figures.add(
        f"case 2: {len(PAYLOADS)} payloads × {len(RENDER_SITES)} render sites → {len(vectors)} "
        "executable vectors (raw HTML written into the database, bypassing the loader)"
    )
    assert vectors == []


def test_script_and_onerror_written_into_module_html_are_removed_when_shown(
    app, client, auth, make_user
):
    module = builders.module("doc-them")
    module.html = '<p>Nội dung thật</p><script>alert("X")</script><img src="a.png" onerror="alert(2)">'
    module.toc_html = '<ul><li><a href="#a" onclick="alert(3)">Mục</a></li></ul><script>alert(4)</script>'
    db.session.commit()
    enrolled_learner(client, auth, make_user)
    page = without_own_scripts(client.get("/courses/khoa-mau/modules/doc-them").get_data(as_text=True))
    assert "Nội dung thật" in page and "Mục" in page
    assert "<script" not in page and "alert(" not in page and "onerror" not in page
    assert executable_vectors(page, app_route_check(app)) == []
