"""A community's year of themes (issue 22, "A Year in the ICS"): themes planned month by month, events that
carry them, the year at a glance as a page and a PDF. The Theme model and Event.theme are cop.events' (the
community feed writes the theme as CATEGORIES); the planning is here."""
