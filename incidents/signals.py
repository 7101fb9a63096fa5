"""What incidents tell other apps, inside the transaction that made the change."""

from django.dispatch import Signal

# rows: the field values of the incidents just created (bulk paths included).
incidents_created = Signal()
# event: the DeviceEvent just stored (with its incident, if it opened one).
device_event_received = Signal()
