from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict:
    partnership = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        membership = user.memberships.select_related("partnership").first()
        partnership = membership.partnership if membership else None
    return {"service_name": settings.SERVICE_NAME, "partnership": partnership}
