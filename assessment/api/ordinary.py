"""REST API of the ordinary part of the assessment."""


def register(router):
    pass
