"""Every authoring route x every kind of user; modules and revisions must belong to the course."""

import io

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.authoring import instructors, services
from app.authoring.models import CourseAssignment
from app.content.services import sync_courses
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD, csrf_token_from

ACTORS = ("anonymous", "learner", "assigned", "other_instructor", "admin")
USERNAMES = {"learner": "hoc_vien", "assigned": "gv_duoc_giao", "other_instructor": "gv_khac",
             "admin": "quan_tri"}
OTHER_COURSE = {
    "course.yml": "id: khoa-hai\ntitle: Khóa thứ hai\ndescription: Khóa khác.\npass_mark: 70\nlanguage: vi\n",
    "01-bai-khac.md": "---\nid: bai-khac\ntitle: Bài khác\norder: 1\nminutes: 2\n---\n\nNội dung.\n",
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
    "6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


@pytest.fixture
def world(app, make_user, courses_dir):
    """Two courses; one instructor assigned to each; one published revision in each."""
    folder = courses_dir / "khoa-hai"
    folder.mkdir()
    for name, text in OTHER_COURSE.items():
        (folder / name).write_text(text, encoding="utf-8")
    sync_courses(courses_dir)
    make_user(username="hoc_vien")
    assigned = make_user(role="instructor", username="gv_duoc_giao")
    other = make_user(role="instructor", username="gv_khac")
    admin = make_user(role="admin", username="quan_tri")
    first, second = builders.course("khoa-mau"), builders.course("khoa-hai")
    instructors.assign(assigned, first, admin)
    instructors.assign(other, second, admin)
    db.session.commit()  # publish() begins its own write transaction: nothing may be staged
    revisions = {}
    for course, path in ((first, "02-doc-them.md"), (second, "01-bai-khac.md")):
        start = services.editing_start(course, path)
        draft = services.Draft(course, path, start.source + "\nThêm.\n", start.base_hash, None)
        revisions[course.slug] = services.publish(draft, admin)[0].id
    db.session.commit()
    return {"revisions": revisions, "assigned": assigned, "course": first}


def client_for(app, actor: str):
    client = app.test_client()
    if actor != "anonymous":
        response = client.post("/login", data={"login": USERNAMES[actor], "password": PASSWORD})
        assert response.status_code == 302
    return client


def outcome(response) -> str:
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return "login"
    if response.status_code == 403:
        return "denied"
    assert response.status_code in (200, 302), response.status_code
    return "ok"


COURSE_EDITORS = {"anonymous": "login", "learner": "denied", "assigned": "ok",
                  "other_instructor": "denied", "admin": "ok"}
ANY_EDITOR = {**COURSE_EDITORS, "other_instructor": "ok"}
ADMINS = {**COURSE_EDITORS, "assigned": "denied"}
MODULE = "/authoring/courses/khoa-mau/modules/doc-them"


def requests(world):
    source = services.editing_start(world["course"], "02-doc-them.md").source
    return [
        ("GET", "/authoring/", None, ANY_EDITOR),
        ("GET", "/authoring/guide", None, ANY_EDITOR),
        ("GET", "/authoring/courses/khoa-mau", None, COURSE_EDITORS),
        ("GET", "/authoring/courses/khoa-mau/statistics", None, COURSE_EDITORS),
        ("GET", MODULE, None, COURSE_EDITORS),
        ("POST", MODULE, {"source": source, "action": "preview"}, COURSE_EDITORS),
        ("POST", MODULE, {"source": source, "action": "validate"}, COURSE_EDITORS),
        ("GET", MODULE + "/history", None, COURSE_EDITORS),
        ("POST", MODULE + "/restore", {"revision_id": world["revisions"]["khoa-mau"]}, COURSE_EDITORS),
        ("GET", "/authoring/courses/khoa-mau/new-module", None, COURSE_EDITORS),
        ("POST", "/authoring/courses/khoa-mau/new-module",
         {"file_name": "09-thu.md", "source": source, "action": "validate"}, COURSE_EDITORS),
        ("GET", "/authoring/courses/khoa-mau/images", None, COURSE_EDITORS),
        ("POST", "/authoring/courses/khoa-mau/images", "image", COURSE_EDITORS),
        ("GET", "/authoring/assignments", None, ADMINS),
        ("POST", "/authoring/assignments",
         {"instructor": str(world["assigned"].id), "course": str(world["course"].id)}, ADMINS),
    ]


def send(client, method, url, data):
    if data == "image":
        image = {"image": (io.BytesIO(PNG), "a.png")}
        return client.post(url, data=image, content_type="multipart/form-data")
    return client.open(url, method=method, data=data)


def test_every_route_for_every_kind_of_user(app, world):
    wrong = []
    for actor in ACTORS:
        client = client_for(app, actor)
        for method, url, data, expected in requests(world):
            got = outcome(send(client, method, url, data))
            if got != expected[actor]:
                wrong.append((actor, method, url, got, expected[actor]))
    assert wrong == []


def test_a_learner_is_refused_even_an_existing_revision_and_upload(app, world):
    client = client_for(app, "learner")
    url = f"{MODULE}?revision={world['revisions']['khoa-mau']}"
    assert client.get(url).status_code == 403
    assert send(client, "POST", "/authoring/courses/khoa-mau/images", "image").status_code == 403


def test_instructors_see_only_their_courses_and_admins_all(app, world):
    assigned = client_for(app, "assigned").get("/authoring/").get_data(as_text=True)
    assert "Khóa học mẫu" in assigned and "Khóa thứ hai" not in assigned
    admin = client_for(app, "admin").get("/authoring/").get_data(as_text=True)
    assert "Khóa học mẫu" in admin and "Khóa thứ hai" in admin


def test_a_module_of_another_course_is_not_found_under_this_course(app, world):
    client = client_for(app, "assigned")
    assert client.get("/authoring/courses/khoa-mau/modules/bai-khac").status_code == 404
    assert client.get("/authoring/courses/khoa-mau/modules/bai-khac/history").status_code == 404
    assert client.get("/authoring/courses/khoa-hai/modules/bai-khac").status_code == 403
    assert client.get("/authoring/courses/khoa-hai/modules/bai-khac/history").status_code == 403


def test_a_revision_of_another_course_or_module_cannot_be_opened_or_restored(app, world):
    client = client_for(app, "assigned")
    foreign = world["revisions"]["khoa-hai"]
    assert client.get(f"{MODULE}?revision={foreign}").status_code == 404
    assert client.post(f"{MODULE}/restore", data={"revision_id": foreign}).status_code == 404
    own = world["revisions"]["khoa-mau"]
    other_module = "/authoring/courses/khoa-mau/modules/gioi-thieu"
    assert client.post(f"{other_module}/restore", data={"revision_id": own}).status_code == 404


def test_unknown_courses_and_modules_are_not_found(app, world):
    client = client_for(app, "admin")
    assert client.get("/authoring/courses/khong-co").status_code == 404
    assert client.get("/authoring/courses/khoa-mau/modules/khong-co").status_code == 404


POST_URLS = [MODULE, MODULE + "/restore", "/authoring/courses/khoa-mau/new-module",
             "/authoring/courses/khoa-mau/images", "/authoring/assignments"]


def test_every_authoring_form_needs_its_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "quan_tri", "password": PASSWORD, "csrf_token": token})
    foreign = csrf_token_from(csrf_app.test_client().get("/login").get_data(as_text=True))
    for url in POST_URLS:
        assert client.post(url, data={}).status_code == 400, url
        assert client.post(url, data={"csrf_token": foreign}).status_code == 400, url
    page = client.get(MODULE).get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "source": "x", "action": "validate"}
    assert client.post(MODULE, data=form).status_code == 200


def test_admins_assign_and_unassign_instructors_with_an_audit_trail(app, world, make_user):
    newcomer = make_user(role="instructor", username="gv_moi")
    client = client_for(app, "admin")
    form = {"instructor": str(newcomer.id), "course": str(world["course"].id)}
    assert client.post("/authoring/assignments", data=form).status_code == 302
    assert client_for_user(app, "gv_moi").get("/authoring/courses/khoa-mau").status_code == 200
    assert client.post("/authoring/assignments", data={**form, "action": "unassign"}).status_code == 302
    assert client_for_user(app, "gv_moi").get("/authoring/courses/khoa-mau").status_code == 403
    events = list(db.session.scalars(sa.select(AuditEvent.event)))
    assert "course.instructor_assigned" in events and "course.instructor_unassigned" in events
    assert db.session.scalar(sa.select(CourseAssignment).filter_by(user_id=newcomer.id)) is None


def client_for_user(app, username):
    client = app.test_client()
    client.post("/login", data={"login": username, "password": PASSWORD})
    return client
