"""The exceptions of the sync package: one root, one subclass per case."""


class SyncError(Exception):
    """Root of every error raised by the sync package."""


class ClockSkewError(SyncError):
    """Raised when a remote clock is further ahead than the allowed drift."""
