from __future__ import annotations

from django.urls import path, re_path

from feed import views

app_name = "feed"

urlpatterns = [
    path("feed/odata/", views.service, name="service"),
    path("feed/odata/$metadata", views.metadata, name="metadata"),
    re_path(r"^feed/odata/(?P<name>[A-Za-z]+)$", views.entity_set_read, name="entity_set"),
    re_path(r"^feed/odata/(?P<name>[A-Za-z]+)/\$count$", views.entity_set_count, name="entity_set_count"),
    re_path(r"^feed/odata/(?P<name>[A-Za-z]+)\((?P<key>[^/]*)\)$", views.entity_read, name="entity"),
    re_path(r"^feed/odata/(?P<rest>.+)$", views.unknown_address, name="unknown"),
    re_path(r"^feed/(?P<name>[A-Za-z]+)\.(?P<extension>csv|json)$", views.entity_set_download, name="download"),
    path("partnerships/<int:partnership_id>/feed/", views.tokens, name="tokens"),
    path("partnerships/<int:partnership_id>/feed/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
