"""REST API of the points part of the assessment."""


def register(router):
    pass
