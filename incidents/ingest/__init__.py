"""The incident ingest: every way incidents come in (REST, bulk, files, devices, the demo)
takes the same row and goes through here.

Imports run one way, bottom to top: ``values`` (times, amounts, the status and response time
they give), ``rows`` (the row's fields and their validation), ``report`` (what an ingest
answers, its audit record), ``placing`` (a row's point, areas and cells), ``plan`` (rows
checked against the caller's jurisdiction and sorted into creates, updates and refusals),
``pipeline`` (the writes: one call or pipelined chunks).
"""

from .pipeline import (
    INGEST_CHUNK,
    IngestChunk,
    chunked,
    incidents_ingest,
    incidents_ingest_chunks,
)
from .plan import INGESTED_FIELDS, active_categories
from .report import IngestReport, Rejection
from .rows import Problem, RowError, parse_row

__all__ = [
    "INGESTED_FIELDS",
    "INGEST_CHUNK",
    "IngestChunk",
    "IngestReport",
    "Problem",
    "Rejection",
    "RowError",
    "active_categories",
    "chunked",
    "incidents_ingest",
    "incidents_ingest_chunks",
    "parse_row",
]
