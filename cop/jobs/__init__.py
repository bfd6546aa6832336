"""Long work off the request: jobs on a queue (Huey), with progress, one at a time per subject.

See cop/jobs/queue.py for how a job runs and why nothing is lost when a worker dies.
"""
