"""The care app's periodic jobs live with their parts; importing them here registers them with
Celery (which discovers `tasks` modules)."""

from .tasks_coverage import *  # noqa: F401, F403
from .tasks_health import *  # noqa: F401, F403
from .tasks_leave import *  # noqa: F401, F403
from .tasks_talks import *  # noqa: F401, F403
