"""An athlete's data on request (export, erase): under the coach pages' addresses, from here."""

from django.urls import path

from . import privacy_views

app_name = "privacy"

urlpatterns = [
    path("athletes/<int:pk>/export.json", privacy_views.export_json, name="athlete-export"),
    path("athletes/<int:pk>/erase/", privacy_views.erase, name="athlete-erase"),
]
