"""Exceptions the services of every app raise and the front doors turn into answers."""


class TransitionConflict(Exception):
    """A workflow step refused because the record is not (or no longer) in a state the step
    starts from: someone acted first, or the step does not apply. Pages show the message; the
    API answers 409."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def messages(self) -> list[str]:
        return [self.message]

    def __str__(self):
        return self.message
