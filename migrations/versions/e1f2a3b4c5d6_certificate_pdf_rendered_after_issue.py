"""Certificate PDFs rendered after the issuing transaction: pdf and pdf_sha256 may be empty

Revision ID: e1f2a3b4c5d6
Revises: 0d0d8d19a88c
Create Date: 2026-12-01 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = '0d0d8d19a88c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    missing = op.get_bind().execute(
        sa.text("SELECT count(*) FROM certificate WHERE pdf_sha256 IS NULL")
    ).scalar()
    if missing:
        raise RuntimeError(
            f"{missing} certificate(s) have no stored PDF yet; run "
            "'flask certificates render-missing' before downgrading."
        )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=False)
