"""Typed clients, one per service API: contract models in and out, personal
codes only in bodies, the language once (``Accept-Language``). Built on
``edu_runtime.service_client.ServiceClient``; shared by the portal's pages and
by services that read another synchronously."""
