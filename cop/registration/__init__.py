"""Open registration: a public page for a published public event, e-mail confirmed by a single-use
link, shared links with a channel tag the organiser names (`?via=linkedin`), and the channel
counted through to the reports."""
