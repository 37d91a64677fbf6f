"""What the incentives app does when other apps record their events."""

from cadre.events import handles

from . import ledger


@handles("tolerance.organisational_handling")
def record_sanction_from_accountability(event):
    """An accountability decision with an organisational handling form enters the cadre in the
    ledger of handled and disciplined cadres (F 15), once per event."""
    ledger.sanction_record_from_event(event)
