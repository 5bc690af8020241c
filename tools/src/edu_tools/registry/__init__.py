"""Dev tooling around registry-reader: synthetic register, samples, benchmark, ``edu registry``."""
