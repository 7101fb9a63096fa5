from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable pages over large, changing tables: newest first, by primary key."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 1000
