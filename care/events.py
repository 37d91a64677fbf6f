"""What the care app does when other apps record their events: the 五必谈 (F 16). Which
events call for a talk is data (`care.talk_triggers`, editable per jurisdiction), so the
handler hears every event kind a published triggers list names, and the list applying at the
cadre's unit decides."""

from cadre.events import handles_matching

from . import talks


@handles_matching(talks.named_by_any_trigger)
def due_talk_from_event(event):
    """An event about a cadre that a trigger of the list applying at the cadre's unit names
    becomes one due talk (once per event)."""
    talks.obligation_from_event(event)
