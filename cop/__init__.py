"""cop: scheduling for communities of practice in health and care.

The app factory lives in cop.app. It is imported lazily so that `import cop.mixing`
(the seat-mixing engine) loads neither Flask nor a database driver.
"""


def create_app(overrides: dict | None = None):
    from cop.app import create_app as build_app

    return build_app(overrides)
