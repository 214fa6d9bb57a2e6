from .pages import index, search, robots, files  # noqa
from .detail import *  # noqa
