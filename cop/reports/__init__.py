"""Reports: attendance and mixing, per event and per community over time."""
