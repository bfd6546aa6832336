"""Materials after an event (issue 22): slides, recordings and links, shown to whom the organiser chose."""
