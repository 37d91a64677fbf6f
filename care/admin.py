"""Admin of the care app: each part registers its models in its own module."""

from . import (  # noqa: F401
    admin_coverage,
    admin_hardship,
    admin_health,
    admin_leave,
    admin_living,
    admin_pay,
    admin_talks,
)
