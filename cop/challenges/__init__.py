"""Challenges and ideas: a community crowdsources ideas before an assembly, and moves them through a pipeline.

A feature above events and invitations: it shows itself on the event page and in the invitation mail
through their signals (cop.events.signals.page_values, cop.invitations.signals.mail_links), never the
other way round. Nothing imports this package but cop.privacy, cop.demo, cop.cli and cop.app.
"""
