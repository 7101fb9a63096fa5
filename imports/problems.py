"""What an import can refuse before it writes anything."""


class FileProblem(ValueError):
    """An input file that cannot be read as asked; nothing has been written. ``code`` names
    the kind of problem (one of ``PROBLEM_CODES``), for a page to say it in its language."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


PROBLEM_CODES = (
    "no_file",
    "empty",
    "encrypted",
    "not_workbook",
    "not_csv",
    "zip_bomb",
    "no_sheet",
    "empty_sheet",
    "no_rows",
    "encoding",
    "unknown_encoding",
    "missing_columns",
)
