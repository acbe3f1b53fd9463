"""Types of :mod:`cxsim.teach`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.teach import class_server as class_server
from cxsim.teach import classroom as classroom
from cxsim.teach import cold_water as cold_water
from cxsim.teach import colonoscopy as colonoscopy
from cxsim.teach import episode as episode
from cxsim.teach import i18n as i18n
from cxsim.teach import meisu as meisu
from cxsim.teach import slides as slides
from cxsim.teach import style as style
from cxsim.teach import switching as switching
from cxsim.teach import typeface as typeface
from cxsim.teach import warmup as warmup
from cxsim.teach import zhijiang as zhijiang

__all__ = [
    "class_server",
    "classroom",
    "cold_water",
    "colonoscopy",
    "episode",
    "i18n",
    "meisu",
    "slides",
    "style",
    "switching",
    "typeface",
    "warmup",
    "zhijiang",
]
