"""Secret-link URLs (no login): calendar feeds, the citizen's page and PDF ugeskemaer."""
from django.urls import path

from scheduler import views_public

urlpatterns = [
    path("kalender/<str:secret>.ics", views_public.calendar_feed, name="calendar_feed"),
    path("borger/<str:token>/", views_public.citizen_page, name="citizen_page"),
    path("borger/<str:token>/ugeskema.pdf", views_public.citizen_pdf, name="citizen_pdf"),
    path("ugeskema/<str:token>/ugeskema.pdf", views_public.consultant_pdf, name="consultant_pdf"),
]
