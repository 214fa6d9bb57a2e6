"""django_serverless: the Lambda runtime that serves a Django project.

The handler is ``django_serverless.handler.handle``; importing that module
sets Django up. This package module itself imports nothing, so tools can
read ``__version__`` without configuring Django.
"""

__version__ = "0.1.0"
