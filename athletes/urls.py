from django.urls import path

from . import views

app_name = "athletes"

urlpatterns = [
    path("<int:pk>/", views.athlete_detail, name="detail"),
]
