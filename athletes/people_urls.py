"""/team/: the people pages of team admins and coaches (athletes.people_views)."""

from django.urls import path

from . import people_views as views

app_name = "people"

urlpatterns = [
    path("", views.people, name="list"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<int:pk>/resend/", views.resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", views.revoke, name="invitation-revoke"),
    path("athletes/<int:pk>/archive/", views.athlete_archive, name="athlete-archive"),
]
