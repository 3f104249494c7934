"""The coordinator's web UI (login required). Danish paths; `/` is the coordinator's landing page."""
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import path, re_path

from scheduler.web import (
    attendance_views,
    course_views,
    data_views,
    forecast_views,
    overview_views,
    plan_views,
    progress_views,
    report_views,
    statistics_views,
)

app_name = "web"


def static_file(request, path: str, insecure: bool):  # noqa: ANN001, ANN201 - a thin wrapper
    # Wrapped so marking it public (the login page needs its CSS) does not touch Django's own view.
    return serve_static(request, path, insecure=insecure)


WEEK = "uge/<slug:site_code>/<str:week_code>/"

urlpatterns = [
    path("", plan_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="coordinator/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("uge/", plan_views.pick_week, name="pick_week"),
    path(WEEK, plan_views.week, name="week"),
    path(WEEK + "planlaeg/", plan_views.plan_start, name="plan_start"),
    path(WEEK + "offentliggoer/", plan_views.publish, name="publish"),
    path(WEEK + "ugeskemaer.pdf", plan_views.site_pdf, name="site_pdf"),
    path(WEEK + "ugeskemaer-aendrede.pdf", plan_views.site_pdf_changed, name="site_pdf_changed"),
    path(WEEK + "besked/", plan_views.change_notices, name="change_notices"),
    path(WEEK + "overblik/", overview_views.overview, name="overview"),
    path(WEEK + "nye-hold/", course_views.proposals, name="course_proposals"),
    path(WEEK + "kommende-uger/", forecast_views.forecast, name="forecast"),
    path(WEEK + "nye-hold/opret/", course_views.proposal_accept, name="course_proposal_accept"),
    path(WEEK + "bestil/", plan_views.request_create, name="request_create"),
    path("koersel/<int:pk>/", plan_views.run_page, name="run"),
    path("koersel/<int:pk>/status.json", plan_views.run_status, name="run_status"),
    path("koersel/<int:pk>/annuller/", plan_views.run_cancel, name="run_cancel"),
    path("aftale/<int:pk>/", plan_views.appointment_detail, name="appointment"),
    path("aftale/<int:pk>/fastlaas/", plan_views.appointment_pin, name="appointment_pin"),
    path("aftale/<int:pk>/flyt/", plan_views.appointment_move_option, name="appointment_move_option"),
    path("aftale/<int:pk>/aflys/", plan_views.appointment_cancel, name="appointment_cancel"),
    path("aftale/<int:pk>/genopret/", plan_views.appointment_restore, name="appointment_restore"),
    path("ikke-placeret/<int:pk>/", plan_views.unplaced_find, name="unplaced"),
    path("fremmoede/", attendance_views.attendance, name="attendance"),
    path("fremmoede/<int:pk>/aftaler/", attendance_views.meeting_agreements, name="meeting_agreements"),
    path("kalenderlinks/<slug:site_code>/", plan_views.feeds, name="feeds"),
    path("progression/", progress_views.progress_centre, name="progress_centre"),
    path("forloeb/<int:pk>/progression/", progress_views.progress_enrolment, name="progress_enrolment"),
    path("forloeb/<int:pk>/afslut/", report_views.enrolment_close_view, name="enrolment_close"),
    path("forloeb/<int:pk>/rapport/", report_views.progress_report, name="progress_report"),
    path("rapport/<int:pk>/godkend/", report_views.progress_report_sign, name="progress_report_sign"),
    path("rapport/<int:pk>/progressionsrapport.pdf", report_views.progress_report_pdf, name="progress_report_pdf"),
    path("statistik/", statistics_views.outcome_statistics_page, name="outcome_statistics"),
    path("statistik/udfald.csv", statistics_views.outcome_statistics_csv_view, name="outcome_statistics_csv"),
    path("data/<slug:slug>/", data_views.data_list, name="data_list"),
    path("data/<slug:slug>/ny/", data_views.data_edit, name="data_new"),
    path("data/<slug:slug>/<int:pk>/", data_views.data_edit, name="data_edit"),
    path("data/borgere/<int:pk>/link/", data_views.citizen_link, name="citizen_link"),
    # The app serves its own few static files (CSS, htmx) so `make run` works without DEBUG; a
    # production deployment puts a web server or CDN in front of /static/ (collectstatic).
    re_path(r"^static/(?P<path>.*)$", login_not_required(static_file), {"insecure": True}, name="static"),
]
