"""The one NinjaAPI: /api/ with a router per area, OpenAPI at /api/openapi.json, docs at /api/docs."""
from ninja import NinjaAPI

from api import errors
from api.auth import AUTH
from api.docs import LocalSwagger
from api.routers import activities, attendance, courses, forecast, imports, people, plans, runs, sites

DESCRIPTION = """
**Dansk.** REST-API til ugeskemaer for beskæftigelsesrettede rehabiliteringscentre: centre, lokaler,
konsulenter, borgere, forløb, indsatsmodeller, hold, virksomheder og praktikker; planlægning af ugen i
baggrunden, gennemsyn, flytning og offentliggørelse af planer; import af et helt center.
Log ind via webgrænsefladen (session + CSRF) eller send `Authorization: Bearer <token>`.
Fejl: 401 ikke logget ind, 403 handling ikke tilladt, 404 findes ikke (eller ikke dit center),
409 konflikt (fx en anden kørsel eller en nyere version), 422 ugyldige felter med danske beskeder.

**English.** REST API for weekly schedules at employment-rehabilitation centres: master data CRUD,
background week planning with progress, plan review (pin, move, cancel, re-plan, publish, export) and a
whole-centre import. Authenticate with the web session (CSRF) or a bearer token. Field errors come back
as `{"detail": [{"field": ..., "message": ...}]}` with Danish messages.
"""

api = NinjaAPI(
    title="Ugeskema API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=AUTH,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
errors.install(api)

api.add_router("/", sites.router)
api.add_router("/", people.router)
api.add_router("/", activities.router)
# Runs first: "/plans/runs" must not be taken for "/plans/{plan_id}".
api.add_router("/plans/runs", runs.router)
api.add_router("/plans", plans.router)
api.add_router("/import", imports.router)
api.add_router("/course-proposals", courses.router)
api.add_router("/forecast", forecast.router)
api.add_router("/", attendance.router)
