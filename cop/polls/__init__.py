"""Date polls (issue 22): before a set's sessions or a new series' dates are fixed, its facilitator proposes
dates and times, each person answers yes / if need be / no from a personal link, and the chosen dates
become the sessions."""
