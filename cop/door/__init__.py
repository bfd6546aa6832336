"""The door: checking people in on the night, walk-ins, no-shows, and the door's record of who did what."""
