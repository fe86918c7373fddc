"""Archive importers: read a file of posts in a known format into `InboundPost`s and per-row errors."""

from socialdesk.importers.archive import ArchiveReader, detect_format, open_archive

__all__ = ["ArchiveReader", "detect_format", "open_archive"]
