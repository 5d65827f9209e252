"""Changes to the widget settings: the action owns its transaction and its audit record."""

from __future__ import annotations

from helpline.compliance import audit
from helpline.core.actors import Staff
from helpline.core.clock import now
from helpline.core.runtime import Runtime
from helpline.widget.models import SETTINGS_ID, WidgetSettings
from helpline.widget.schemas import WidgetSettingsIn
from helpline.widget.service import DEFAULTS, as_out


async def do_put_widget_settings(
    rt: Runtime, staff: Staff, *, settings: WidgetSettingsIn
) -> WidgetSettings:
    """Replace the widget settings (the caller checked ``administer``). Widgets pick them up the
    next time they load; nothing is pushed to open ones. The audit record names the fields that
    changed and their new values."""
    async with rt.db.write() as s:
        row = await s.get(WidgetSettings, SETTINGS_ID, with_for_update=True)
        before = as_out(row) if row else DEFAULTS
        if row is None:
            row = WidgetSettings(id=SETTINGS_ID)
            s.add(row)
        row.colour = settings.colour
        row.greeting = settings.greeting
        row.position = settings.position
        row.name_field = settings.prechat_fields.name
        row.email_field = settings.prechat_fields.email
        row.topics = list(settings.topics)
        row.updated_at, row.updated_by = now(), staff.user_id
        old = before.model_dump()
        changed = {k: v for k, v in settings.model_dump().items() if old[k] != v}
        audit.record(
            s,
            actor_id=staff.user_id,
            action="widget_settings.put",
            target="widget_settings",
            changed=changed,
        )
    return row
