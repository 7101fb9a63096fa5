"""File imports of incidents: other systems' CSV, JSON-lines and XLSX exports read by a mapping
into incident rows for ``incidents.ingest`` — from the command line or as a job over the API.

Imports run one way: ``readers`` (files into records) and ``mapping`` (records into rows) at
the bottom, ``proposal`` (a mapping guessed from a header), ``running`` (one import, start to
end), then models, services, selectors, tasks and the API.
"""
