"""Text typed into forms and the API, as services store it."""


def clean_text(value) -> str:
    """The value as stripped text; None and empty become ''."""
    return str(value or "").strip()
