"""sent forms: a no-JavaScript form's token hash once its answers were sent

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('sent_forms',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash'),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('sent_forms')
