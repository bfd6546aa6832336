"""Seating plans: stored, versioned plans built with cop.mixing, the facilitator's views, printing."""
