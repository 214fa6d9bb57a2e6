def trailing_slash(value):
    """Drop leading and trailing slashes and end with one, except for ""."""
    return f'{value.strip("/")}/' if value else ''
