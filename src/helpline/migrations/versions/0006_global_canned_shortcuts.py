"""global canned responses: one per shortcut

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Duplicates made before the index existed keep working under a new shortcut: "name-<id>".
    op.execute(
        "UPDATE canned_responses SET shortcut = substr(shortcut, 1, 30) || '-' || id "
        "WHERE team_id IS NULL AND id NOT IN "
        "(SELECT min(id) FROM canned_responses WHERE team_id IS NULL GROUP BY shortcut)"
    )
    op.create_index(
        "uq_canned_global_shortcut",
        "canned_responses",
        ["shortcut"],
        unique=True,
        sqlite_where=sa.text("team_id IS NULL"),
        postgresql_where=sa.text("team_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_canned_global_shortcut", table_name="canned_responses")
