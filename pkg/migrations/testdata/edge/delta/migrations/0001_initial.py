raise RuntimeError("a namespace migrations folder is not loaded")
