from django.dispatch import Signal

# days: how many days of rollups a recompute just rewrote (numbers built on them may move).
rollups_updated = Signal()
