"""The one Content-Security-Policy of the e-services.

The gateway sends it on every response (edu_tools.gateway_nginx renders it into
nginx.conf) and the services' own API documentation pages send it themselves, so
a page that needs an inline script or a remote origin fails in tests, not in
production. ``img-src data:``: Swagger UI's stylesheet draws its icons as data: SVGs.
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
