"""reviewed languages only (a survey setting); the organisation and contact line of a link's flyer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:36:01.087949

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flyer_organisation', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('flyer_contact', sa.String(length=200), nullable=True))

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_languages_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('reviewed_languages_only')

    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_column('flyer_contact')
        batch_op.drop_column('flyer_organisation')
