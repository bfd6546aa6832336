from cop import create_app

app = create_app()
