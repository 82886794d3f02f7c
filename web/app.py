"""The demo clinic website: two pages with the chat widget, and the widget's own files.

Routes:
    ``/``, ``/about``: the clinic's pages, each with the one-tag widget snippet.
    ``/widget.js``: the snippet's script, with the clinic's branding rendered in.
    ``/vendor/rasa-webchat.js``: the widget's bundle from web/node_modules, without its
        font import from Google (:mod:`web.bundle`).
    ``/branding/logo``: the clinic's logo (``branding.logo`` of the clinic config).
    ``/static/...``: the project's CSS and images.
    ``/health``: 200 and ``{"status": "ok"}``.
"""

from __future__ import annotations

import mimetypes
from typing import Dict
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import HTTPResponse, Request, Sanic, response

from clinic.config import Clinic
from web.bundle import WidgetBundle
from web.settings import DEFAULT_LOGO, STATIC_DIR, TEMPLATES_DIR, WebSettings
from web.widget import render_widget_js, widget_config

APP_NAME = "clinic_web"


def page_security_headers(socket_url: str) -> Dict[str, str]:
    """Headers of the demo pages: nothing may load from, or connect to, another site.

    The widget's socket.io connection is the one exception: it goes to the Rasa server
    (``RASA_SOCKET_URL``), over HTTP long-polling and then a websocket.
    """
    parts = urlsplit(socket_url)
    websocket = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    policy = "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {parts.scheme}://{parts.netloc} {websocket}",
            "img-src 'self' data:",
            # rasa-webchat injects its CSS in <style> tags and sets inline styles.
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'self'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def create_app(settings: WebSettings, clinic: Clinic, name: str = APP_NAME) -> Sanic:
    """The website for ``clinic``, whose widget connects to ``settings.rasa_socket_url``."""
    app = Sanic(name)
    templates = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    bundle = WidgetBundle(settings.widget_bundle)
    logo = clinic.branding.logo or DEFAULT_LOGO
    widget_script = render_widget_js(templates, widget_config(clinic, settings))
    headers = page_security_headers(settings.rasa_socket_url)

    def page(template: str, current: str) -> HTTPResponse:
        html = templates.get_template(template).render(
            clinic=clinic, current=current, socket_url=settings.rasa_socket_url
        )
        return response.html(html, headers=headers)

    @app.route("/", methods=["GET", "HEAD"])
    async def home(request: Request) -> HTTPResponse:
        return page("index.html", "home")

    @app.route("/about", methods=["GET", "HEAD"])
    async def about(request: Request) -> HTTPResponse:
        return page("about.html", "about")

    @app.route("/health", methods=["GET", "HEAD"])
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.route("/widget.js", methods=["GET", "HEAD"])
    async def widget_js(request: Request) -> HTTPResponse:
        return response.text(
            widget_script,
            content_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    @app.route("/vendor/rasa-webchat.js", methods=["GET", "HEAD"])
    async def widget_bundle(request: Request) -> HTTPResponse:
        return response.text(
            bundle.text(),
            content_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    @app.route("/branding/logo", methods=["GET", "HEAD"])
    async def branding_logo(request: Request) -> HTTPResponse:
        content_type = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
        return response.raw(
            logo.read_bytes(),
            content_type=content_type,
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    app.static("/static", str(STATIC_DIR), name="static")
    return app
