"""Workforce exchange: pairs of people from different organisations who share an interest, introduced by e-mail."""
