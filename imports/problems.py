"""What an import can refuse before it writes anything."""


class FileProblem(ValueError):
    """An input file that cannot be read as asked; nothing has been written."""
