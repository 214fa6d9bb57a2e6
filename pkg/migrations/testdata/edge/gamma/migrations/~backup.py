raise RuntimeError("Django never imports files starting with ~")
