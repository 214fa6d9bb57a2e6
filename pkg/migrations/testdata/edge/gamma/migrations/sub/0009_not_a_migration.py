raise RuntimeError("subpackages of migrations are not migrations")
