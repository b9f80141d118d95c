"""Services never commit what their caller staged: ending a read transaction to begin a writer
(or before slow work) refuses when changes are staged, flushed or not."""

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.database import begin_write_transaction, end_read_transaction, in_write_transaction
from app.extensions import db


@pytest.fixture
def read_transaction(app, make_user):
    make_user(username="lan")
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        db.session.scalar(sa.select(User).filter_by(username="lan"))  # a read transaction begins
        yield
        db.session.rollback()


@pytest.mark.parametrize("end", [begin_write_transaction, end_read_transaction])
def test_a_staged_change_is_never_committed_by_a_service(read_transaction, end):
    user = db.session.scalar(sa.select(User).filter_by(username="lan"))
    user.full_name = "Người Khác"
    with pytest.raises(RuntimeError, match="staged"):
        end()


@pytest.mark.parametrize("end", [begin_write_transaction, end_read_transaction])
def test_a_flushed_change_is_never_committed_by_a_service(read_transaction, end):
    user = db.session.scalar(sa.select(User).filter_by(username="lan"))
    user.full_name = "Người Khác"
    db.session.flush()
    with pytest.raises(RuntimeError, match="staged"):
        end()
    db.session.rollback()
    assert db.session.scalar(sa.select(User.full_name).filter_by(username="lan")) != "Người Khác"


def test_with_nothing_staged_a_writer_begins_and_commits_once(read_transaction):
    assert not in_write_transaction()
    begin_write_transaction()
    assert in_write_transaction()
    db.session.scalar(sa.select(User).filter_by(username="lan")).full_name = "Trần Thị Lan"
    db.session.flush()
    begin_write_transaction()  # already a writer: nothing to end, so nothing committed here
    db.session.rollback()
    assert db.session.scalar(sa.select(User.full_name).filter_by(username="lan")) != "Trần Thị Lan"


def test_after_a_commit_the_next_transaction_starts_clean(read_transaction):
    begin_write_transaction()
    db.session.scalar(sa.select(User).filter_by(username="lan")).full_name = "Trần Thị Lan"
    db.session.commit()
    db.session.scalar(sa.select(User).filter_by(username="lan"))
    end_read_transaction()  # the flushed writes were committed: this transaction holds none
