"""Routes for the widget settings (admins, in the console) and the widget's configuration."""

from __future__ import annotations

from fastapi import APIRouter

from helpline.core.permissions import Capability
from helpline.deps import CurrentStaff, Rt, require
from helpline.widget import actions, service
from helpline.widget.schemas import WidgetConfigOut, WidgetSettingsIn, WidgetSettingsOut

router = APIRouter(prefix="/api/v1", tags=["widget settings"])


@router.get("/widget-settings")
async def get_widget_settings(staff: CurrentStaff, rt: Rt) -> WidgetSettingsOut:
    """The widget's colour, greeting, position, pre-chat fields and topics (admin)."""
    require(staff, Capability.ADMINISTER)
    async with rt.db.read() as s:
        return await service.current(s)


@router.put("/widget-settings")
async def put_widget_settings(
    body: WidgetSettingsIn, staff: CurrentStaff, rt: Rt
) -> WidgetSettingsOut:
    """Replace the widget settings (admin); widgets apply them when they next load."""
    require(staff, Capability.ADMINISTER)
    return service.as_out(await actions.do_put_widget_settings(rt, staff, settings=body))


@router.get("/widget/config", tags=["widget"])
async def widget_config(rt: Rt) -> WidgetConfigOut:
    """What the widget needs before a chat: its look, the pre-chat fields, the topics to offer,
    whether anyone who answers chats is online, and the longest message it may send."""
    async with rt.db.read() as s:
        return await service.widget_config(s, max_message_chars=rt.settings.max_message_chars)
