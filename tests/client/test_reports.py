"""The funnel page: numbers per unit, drill-down to learners, merged units, a learner's record."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import create_user
from app.certificates.models import Certificate
from app.extensions import db
from app.intakes.models import Intake
from app.progress import enrolment_summary
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.conftest import PASSWORD

MERGER = date(2025, 7, 1)
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Learner:
    username: str
    name: str
    unit: str
    intake: str = "dot-1"
    logged_in: bool = True
    started: bool = True
    score: int | None = None  # completed with this score
    certified: bool = False


# Hand-computed below: intake dot-1, units as of today (Bản Hồ merged into Tả Phìn).
LEARNERS = [
    Learner("hv-an", "Nguyễn Văn An", "LC-TV", score=80, certified=True),
    Learner("hv-anh", "Lê Thị Ánh", "LC-TV", score=90, certified=True),
    Learner("hv-binh", "Trần Thị Bình", "LC-TV"),
    Learner("hv-duc", "Hoàng Văn Đức", "LC-BH", score=70, certified=True),
    Learner("hv-dung", "Phạm Thị Dung", "LC-TP", started=False),
    Learner("hv-giang", "Vũ Thị Giang", "LC-TP", logged_in=False, started=False),
    Learner("hv-hoa", "Đặng Thị Hoa", "AG-MH", score=100, certified=True),
    Learner("hv-khanh", "Bùi Văn Khánh", "AG-MH", intake="dot-2", score=60),
]


def build_world() -> dict[str, Unit]:
    """Two provinces, three communes of Lào Cai (one merged), the roster above."""
    lao_cai = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    an_giang = Unit(code="AG", name="Tỉnh An Giang", level=UnitLevel.PROVINCE)
    ta_phin = Unit(code="LC-TP", name="Xã Tả Phìn", level=UnitLevel.COMMUNE, parent=lao_cai)
    units = {u.code: u for u in (
        lao_cai, an_giang, ta_phin,
        Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=lao_cai),
        Unit(code="LC-BH", name="Xã Bản Hồ", level=UnitLevel.COMMUNE, parent=lao_cai,
             valid_until=MERGER, successor=ta_phin),
        Unit(code="AG-MH", name="Xã Mỹ Hòa", level=UnitLevel.COMMUNE, parent=an_giang),
    )}
    db.session.add_all(units.values())
    course = builders.course()
    intakes = {code: Intake(course_id=course.id, code=code, name=f"Đợt {code[-1]} năm 2025")
               for code in ("dot-1", "dot-2")}
    db.session.add_all(intakes.values())
    db.session.flush()
    for learner in LEARNERS:
        add_learner(learner, units[learner.unit], intakes[learner.intake], course)
    enrolment_summary.rebuild()  # the rows went in directly, as a bulk load's do
    db.session.commit()
    return units


def add_learner(learner: Learner, unit: Unit, intake: Intake, course) -> User:
    user = create_user(learner.username, learner.name, PASSWORD, unit=unit)
    user.last_login_at = T0 if learner.logged_in else None
    db.session.add(Enrolment(user_id=user.id, course_id=course.id, intake_id=intake.id))
    if learner.started:
        db.session.add(ModuleProgress(user_id=user.id, module_id=course.active_modules[0].id))
    if learner.score is not None:
        completion = CourseCompletion(user_id=user.id, course_id=course.id, score=learner.score,
                                      completed_at=T0)
        db.session.add(completion)
        db.session.flush()
        if learner.certified:
            db.session.add(Certificate(
                code=f"{learner.username.upper():A<20}"[:20], user_id=user.id, course_id=course.id,
                completion_id=completion.id, full_name=learner.name, unit_name=unit.name,
                course_title=course.title, completed_on=T0.date(), score=learner.score,
                issuer="Sở KH&CN", signer_name="Nguyễn Văn An", signer_title="Giám đốc",
                pdf_sha256="0" * 64, pdf=b"%PDF-1.7 placeholder"))
    db.session.flush()
    return user


class _Tables(HTMLParser):
    """The text of every cell of every table with class "report", row by row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth_in_report = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "report" in (dict(attrs).get("class") or ""):
            self.tables.append([])
            self._depth_in_report = True
        elif self._depth_in_report and tag == "tr":
            self._row = []
        elif self._depth_in_report and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth_in_report = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def screen_tables(html: str) -> list[list[list[str]]]:
    """Each report table as shown: header row, then data rows, cells as text."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def world(app):
    return build_world()


def funnel_page(client, **args) -> str:
    response = client.get("/admin/reports/courses/khoa-mau", query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_top_level_counts_every_province_for_an_intake(client, world, admin):
    (table,) = screen_tables(funnel_page(client, intake="dot-1"))
    assert table == [
        ["Đơn vị", "Đã ghi danh", "Đã đăng nhập", "Đã bắt đầu học", "Đã hoàn thành", "Có chứng nhận",
         "Tỷ lệ hoàn thành (trên số đã ghi danh)", "Điểm trung bình"],
        ["Tỉnh An Giang", "1", "1", "1", "1", "1", "1/1 — 100,0%", "100,0"],
        ["Tỉnh Lào Cai", "6", "5", "4", "3", "3", "3/6 — 50,0%", "80,0"],
        ["Tổng", "7", "6", "5", "4", "4", "4/7 — 57,1%", "85,0"],
    ]


def test_all_intakes_count_the_whole_roster(client, world, admin):
    (table,) = screen_tables(funnel_page(client))
    assert table[1] == ["Tỉnh An Giang", "2", "2", "2", "2", "1", "2/2 — 100,0%", "80,0"]
    assert table[-1][:2] == ["Tổng", "8"]


def test_province_drills_down_to_todays_communes(client, world, admin):
    page = funnel_page(client, intake="dot-1", unit="LC")
    (table,) = screen_tables(page)
    assert [row[:5] for row in table[1:]] == [
        ["Xã Tả Phìn", "3", "2", "1", "1"],  # with Bản Hồ, merged into it
        ["Xã Tả Van", "3", "3", "3", "2"],
        ["Tổng", "6", "5", "4", "3"],
    ]
    assert 'href="/admin/reports/courses/khoa-mau?intake=dot-1&amp;unit=LC-TP"' in page


def test_before_the_merger_the_old_commune_has_its_own_row(client, world, admin):
    (table,) = screen_tables(funnel_page(client, intake="dot-1", unit="LC", on="2025-06-30"))
    assert [row[:2] for row in table[1:]] == [
        ["Xã Bản Hồ", "1"], ["Xã Tả Phìn", "2"], ["Xã Tả Van", "3"], ["Tổng", "6"]]


def test_commune_lists_its_learners_in_vietnamese_name_order(client, world, admin):
    db.session.add(Enrolment(user_id=create_user("dungx", "Lê Văn Dũng", PASSWORD,
                                                 unit=world["LC-TP"]).id,
                             course_id=builders.course().id))
    funnel_table, learners = screen_tables(funnel_page(client, unit="LC-TP"))
    assert funnel_table[-1][:2] == ["Tổng", "4"]
    assert [row[1] for row in learners[1:]] == [
        "Hoàng Văn Đức", "Lê Văn Dũng", "Phạm Thị Dung", "Vũ Thị Giang"]
    duc = learners[1]
    assert duc == ["1", "Hoàng Văn Đức", "hv-duc", "Xã Bản Hồ", "Có", "Có", "Có", "Có", "70"]
    assert learners[4][4:] == ["Không", "Không", "Không", "Không", "—"]


def test_breadcrumbs_lead_back_up(client, world, admin):
    page = funnel_page(client, unit="LC-TV")
    assert 'href="/admin/reports/courses/khoa-mau?unit=LC"' in page
    assert 'href="/admin/reports/courses/khoa-mau"' in page


def test_charts_are_inline_svg_with_a_title_and_description(client, world, admin):
    page = funnel_page(client, intake="dot-1")
    assert page.count('<svg role="img"') == 2
    assert re.search(r'<svg role="img" aria-labelledby="chart-stages-title chart-stages-desc"', page)
    assert "<title id=\"chart-stages-title\">" in page and "<desc id=\"chart-rates-desc\">" in page
    assert "<script" not in page


def test_unknown_unit_intake_and_course_are_404_and_a_bad_date_falls_back_to_today(client, world, admin):
    assert "Không tìm thấy “NOPE”" in funnel_page(client, unit="NOPE")  # said on the form
    assert client.get("/admin/reports/courses/khoa-mau/funnel.csv?unit=NOPE").status_code == 404
    assert client.get("/admin/reports/courses/khoa-mau?intake=NOPE").status_code == 404
    assert client.get("/admin/reports/courses/nope").status_code == 404
    page = funnel_page(client, on="2025-02-31")
    assert "YYYY-MM-DD" in page


def test_learner_detail_shows_modules_attempts_and_certificate(client, auth, make_user, world):
    make_user(username="lan", full_name="Nguyễn Thị Lan")
    auth.login("lan")
    builders.complete_course(client)
    auth.logout()
    make_user(role="admin", username="quantri")
    auth.login("quantri")
    page = client.get("/admin/reports/learner", query_string={"username": "lan"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    certificate = db.session.scalars(sa.select(Certificate).join(User).filter(User.username == "lan")).one()
    assert "Nguyễn Thị Lan" in text and certificate.display_code in text
    for module in builders.course().active_modules:
        assert module.title in text
    assert "100/100" in text
    assert client.get("/admin/reports/learner?username=nobody").status_code == 404


def test_reports_index_lists_courses_and_intakes(client, world, admin):
    page = client.get("/admin/reports").get_data(as_text=True)
    assert "Khóa học mẫu về chuyển đổi số" in page and "?intake=dot-2" in page


REPORT_URLS = ["/admin/reports", "/admin/reports/courses/khoa-mau",
               "/admin/reports/courses/khoa-mau/funnel.csv", "/admin/reports/courses/khoa-mau/funnel.xlsx",
               "/admin/reports/learner?username=hv-an"]


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_are_refused(client, auth, make_user, world, role):
    make_user(role=role, username="someone")
    auth.login("someone")
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_login(client, world):
    for url in REPORT_URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_unit_filter_lists_the_provinces_then_the_units_of_the_province_in_view(client, world, admin):
    def listed(**args) -> set[str]:
        return set(re.findall(r'<option value="[^"]*\(([A-Z-]+)\)"', funnel_page(client, **args)))

    assert listed() == {"LC", "AG"}
    assert listed(unit="LC") >= {"LC", "LC-TP", "LC-TV"} and "AG-MH" not in listed(unit="LC")
    assert "AG" not in listed(unit="LC-TP")
    assert "Xã Mỹ Hòa" in funnel_page(client, unit="AG-MH")  # any unit is still reached by name or code
