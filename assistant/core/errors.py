"""Errors whose messages say the fix. The CLI and the web chat show `str(error)` as it is."""


class AssistantError(Exception):
    """Base of every error the user should see as one clear line."""


class SettingsError(AssistantError):
    pass


class EvalSetError(AssistantError):
    """A question set's corpus or the gate's tolerances cannot be used as written (evals/): the
    message names the file and what to change in it."""


class IndexNotFound(AssistantError):
    def __init__(self, index_dir: object):
        super().__init__(f"No index at {index_dir}/ - run 'assistant ingest' first (or 'make run', which builds it)")


class ManifestError(AssistantError):
    """The manifest cannot be read: nothing is changed."""


class LoadError(AssistantError):
    """One file could not be loaded; ingest reports it and goes on with the rest."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self):
        # Rebuilt from its two fields: ingest's reader processes send their errors back pickled.
        return (LoadError, (self.path, self.reason))


class StoreError(AssistantError):
    """The vector store cannot be reached or is not in the expected state."""


class IndexDamaged(StoreError):
    """A part of the live index is missing or is not what was written: the fix is a rebuild."""

    def __init__(self, index_dir: object, part: str):
        self.part = part
        super().__init__(f"The index at {index_dir}/ is damaged ({part}): run 'assistant ingest --rebuild'")


class IndexOutdated(StoreError):
    """The live index was written by another version of the assistant, in a format this one does
    not read: the fix is an ingest, which rebuilds it (embedding the corpus again)."""

    def __init__(self, index_dir: object, found: int, expected: int):
        super().__init__(
            f"The index at {index_dir}/ was built by another version of the assistant (index "
            f"format {found}, this one reads {expected}): run 'assistant ingest' to rebuild it"
        )


class IngestBusy(AssistantError):
    """Another ingest holds the index's lock; two at once would each undo the other's work."""

    def __init__(self, index_dir: object, pid: str):
        who = f" (process {pid})" if pid else ""
        super().__init__(
            f"Another ingest{who} is updating {index_dir}/: wait for it to finish, then run "
            "'assistant ingest' again for any file changed since it started"
        )
