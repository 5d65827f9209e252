"""widget settings: one row, holding the look the widget had before

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "widget_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("greeting", sa.String(length=80), nullable=False),
        sa.Column("position", sa.String(length=5), nullable=False),
        sa.Column("name_field", sa.String(length=8), nullable=False),
        sa.Column("email_field", sa.String(length=8), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_widget_settings_one_row")),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_widget_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_settings")),
    )
    # Existing deployments keep the look they had (helpline.widget.service.DEFAULTS).
    op.bulk_insert(
        table,
        [
            {
                "id": 1,
                "colour": "#2454d6",
                "greeting": "Chat with us",
                "position": "right",
                "name_field": "required",
                "email_field": "optional",
                "topics": [],
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("widget_settings")
