"""Secret-link URLs (no login): calendar feeds, the citizen's page and PDF ugeskemaer."""
from django.urls import path

from scheduler.public import views

urlpatterns = [
    path("kalender/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
    path("borger/<str:token>/", views.citizen_page, name="citizen_page"),
    path("borger/<str:token>/ugeskema.pdf", views.citizen_pdf, name="citizen_pdf"),
    path("ugeskema/<str:token>/ugeskema.pdf", views.consultant_pdf, name="consultant_pdf"),
    path("ugeskema/<str:token>/fremmoede/", views.consultant_attendance, name="consultant_attendance"),
    path("ugeskema/<str:token>/fremmoede/<int:pk>/aftaler/", views.consultant_agreements,
         name="consultant_agreements"),
]
