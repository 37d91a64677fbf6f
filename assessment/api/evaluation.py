"""REST API of the evaluation part of the assessment."""


def register(router):
    pass
