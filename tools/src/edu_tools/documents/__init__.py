"""Dev tooling around documents: sample contents and previews, benchmark."""
