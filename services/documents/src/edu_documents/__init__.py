"""Handover and return acts, my-data printouts: rendering (ReportLab), storage (GridFS),
verification."""
