"""The incident ingest: every way incidents come in (REST, bulk, files, devices, the demo)
takes the same row, validated by ``rows``."""
