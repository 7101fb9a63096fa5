from django.dispatch import Signal

# Sent once after a transaction that changed area boundaries has committed. Apps that place
# records in areas (incidents, device events ...) listen and re-place them.
areas_changed = Signal()
