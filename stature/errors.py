"""The one short exception family Stature raises."""


class StatureError(Exception):
    """Base of every error Stature reports to a user."""


class WorkspaceError(StatureError):
    """The workspace file is missing, locked, corrupt or of an unknown schema version."""


class WorkspaceBusy(WorkspaceError):
    """Another process holds the workspace file, and it did not come free in the time waited."""


class ImportFormatError(StatureError):
    """A file, or a record in it, is not what its format promises.

    ``path`` names the file, ``where`` the record or line inside it.
    """

    def __init__(self, path, where, message):
        self.path = str(path)
        self.where = where
        self.reason = message
        location = f"{self.path}, {where}" if where else self.path
        super().__init__(f"{location}: {message}")
