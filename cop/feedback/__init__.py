"""Post-event feedback: a form per event, requests and reminders to those who came, answers, results."""
