"""Swagger UI served from this server only: the docs page must work without internet access.

django-ninja ships the Swagger UI files in its static folder; they are served by a small view under
/api/docs/assets/ so the page works whether or not the deployment serves /static/.
"""
import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
ALLOWED_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: object) -> HttpResponse:
        # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
        settings = {
            "layout": "BaseLayout", "deepLinking": True, "validatorUrl": None,
            "url": self.get_openapi_url(api, kwargs),
        }
        assets = {name.replace("-", "_").replace(".", "_"): reverse("api-docs-asset", args=[name])
                  for name in ALLOWED_ASSETS}
        context = {
            "api": api, "assets": assets, "swagger_settings": json.dumps(settings), "csrf_token": get_token(request),
        }
        return HttpResponse(render_to_string("api/swagger.html", context, request=request))


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ALLOWED_ASSETS:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(open(ASSETS / name, "rb"), content_type=content_type)  # closed by Django
    response["Cache-Control"] = "public, max-age=86400"
    return response
