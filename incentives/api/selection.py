"""The API of this part of the incentives app."""


def register(router):
    pass
