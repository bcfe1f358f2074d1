"""Shared machinery: model mixins, service errors, paging, phone normalisation, audit."""
