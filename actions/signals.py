"""What the plan tells the apps above it, which it may not import.

`actions_updated` is sent inside the transaction that changed the actions
(a person's update, a plan import), with `action_ids`, `user` (or None) and
`at`. Governance listens to reopen a partner's sign-off.
"""

from __future__ import annotations

from django.dispatch import Signal

actions_updated = Signal()
