"""Admin of the incentives app: each part registers its models in its own module."""

from . import (  # noqa: F401
    admin_awards,
    admin_ledger,
    admin_rank,
    admin_selection,
    admin_structure,
)
