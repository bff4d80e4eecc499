"""The storage layer: small functions taking the database first and returning dicts. All SQL lives here."""
