"""signed certificate PDFs: who signed, development key, PDF hash index

Revision ID: f3c9a1d2b7e4
Revises: 3a8538279f94
Create Date: 2026-12-01 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c9a1d2b7e4'
down_revision = '3a8538279f94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_signed_by', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('pdf_signed_with_development_key', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_certificate_pdf_sha256'), ['pdf_sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_pdf_sha256'))
        batch_op.drop_column('pdf_signed_with_development_key')
        batch_op.drop_column('pdf_signed_by')
