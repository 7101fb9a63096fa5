"""What the alerts engine tells the rest of the house.

``alert_raised`` is sent once for every new alert, after the transaction that wrote it commits
(an alert rolled back with its cause is never announced), with ``alert_id=`` the alert's id.
Every alert passes ``alerts.services`` on its way in, whatever its kind, so a receiver (the
subscriptions' delivery) hears them all without the engine knowing who listens. Receivers
should only queue work: they run in the request or task that raised the alert, and an
exception of one is logged, not raised.
"""

from django.dispatch import Signal

alert_raised = Signal()
