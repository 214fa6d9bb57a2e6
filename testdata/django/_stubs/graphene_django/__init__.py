"""Stand-in for graphene-django (see ../README.md)."""
