"""Settings package: the environment's module pulls in the shared base."""
from .dev import *  # noqa: F401,F403
