"""Sign-in and the portal's home page.

Locally a stand-in for latvija.lv authentication (``standin``); in deploy/
the same pages hand over to a real OpenID Connect provider (``oidc``)."""

from edu_portal.signin.routes import ROUTES

__all__ = ["ROUTES"]
