"""E-service A, "Mani dati izglītības reģistros": start → terms → whose data →
the blocks → "Saglabāt kā PDF" → finish; and "Who has looked at my data"."""

from edu_portal.mydata.routes import ROUTES

__all__ = ["ROUTES"]
