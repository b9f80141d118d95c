"""Who may edit which course in the browser: admins every course, instructors those assigned."""

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.audit import services as audit
from app.authoring.models import CourseAssignment
from app.content.models import Course
from app.content.services import visible_courses
from app.extensions import db


def may_edit(user: User, course: Course) -> bool:
    """Admins edit every course; instructors only the courses assigned to them."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.INSTRUCTOR and db.session.scalar(
        sa.select(CourseAssignment.id).filter_by(user_id=user.id, course_id=course.id)
    ) is not None


def editable_courses(user: User) -> list[Course]:
    if user.role == Role.ADMIN:
        return visible_courses()
    return list(db.session.scalars(
        sa.select(Course).join(CourseAssignment, CourseAssignment.course_id == Course.id)
        .where(CourseAssignment.user_id == user.id, Course.is_archived.is_(False))
        .order_by(Course.title)
    ))


def instructors() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).filter_by(role=Role.INSTRUCTOR).order_by(User.name_sort_key)
    ))


def assignments() -> list[CourseAssignment]:
    return list(db.session.scalars(
        sa.select(CourseAssignment).join(Course).join(User, CourseAssignment.user_id == User.id)
        .order_by(Course.title, User.name_sort_key)
    ))


def assign(instructor: User, course: Course, by: User) -> None:
    """Let an instructor edit a course in the browser (once; audited)."""
    if db.session.scalar(
        sa.select(CourseAssignment).filter_by(user_id=instructor.id, course_id=course.id)
    ) is not None:
        return
    db.session.add(CourseAssignment(user_id=instructor.id, course_id=course.id, assigned_by_id=by.id))
    audit.record("course.instructor_assigned", target=course.slug, instructor=instructor.username)


def unassign(instructor: User, course: Course) -> None:
    assignment = db.session.scalar(
        sa.select(CourseAssignment).filter_by(user_id=instructor.id, course_id=course.id)
    )
    if assignment is not None:
        db.session.delete(assignment)
        audit.record("course.instructor_unassigned", target=course.slug, instructor=instructor.username)
