"""What the reports app tells the rest of the house.

``report_published`` is sent once a briefing's files are stored, with ``report=`` the stored
report. Receivers (subscriptions' delivery) may rely on the report having:

- ``kind``: the report kind's name (``"weekly"``, ``"monthly"``, ``"campaign"``)
- ``area``: the ``areas.Area`` it covers
- ``title``: its heading, in Chinese
- ``period_start`` / ``period_end``: the dates it covers (both included)
- ``get_absolute_url()``: its page
- ``attachments()``: ``[(filename, content bytes, mimetype), ...]`` (the DOCX and the PDF)
"""

from django.dispatch import Signal

report_published = Signal()
