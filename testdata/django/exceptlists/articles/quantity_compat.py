def parse_quantity(text):
    """Reads a positive count; anything else is 1."""
    try:
        value = int(text)
        if value < 1:
            raise ValueError(text)
    except (ValueError, TypeError, OverflowError):
        return 1
    return value
