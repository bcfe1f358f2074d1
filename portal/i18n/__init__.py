"""Locale selection and the translation catalogs (English, Bengali, Indonesian)."""
