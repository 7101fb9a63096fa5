"""A briefing's content rendered: charts (PNG), the print-ready HTML page, PDF and DOCX."""
