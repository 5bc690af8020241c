"""Handover and return acts, my-data printouts: rendering (ReportLab), storage (each PDF in its
record), verification."""
