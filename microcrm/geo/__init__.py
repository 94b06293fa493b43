"""Geolocation: geocoding, distances, tours."""
