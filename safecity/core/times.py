"""The span of time the platform takes dates and times from."""

from datetime import UTC, datetime

# Older times are typing errors. They would also stretch the statistics over centuries, and
# before 1901 the local zone's offset is not a whole minute (LMT), which RFC 3339 cannot write.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Far enough for any plan, near enough that date arithmetic (a year on, a day on) stays in range.
LATEST = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
