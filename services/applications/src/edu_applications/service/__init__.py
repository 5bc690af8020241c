"""The service layer of applications: the use cases (``use_cases.py``) and
what they are built from — storing changes with their events (``commits.py``),
the terms of use (``terms.py``), the registers in the domain's terms
(``registers.py``) and the events told to other services (``events.py``)."""

from edu_applications.service.use_cases import ApplicationService, utc_now

__all__ = ["ApplicationService", "utc_now"]
