"""The ASGI entry point for uvicorn and other servers: `meetbook.asgi:app`."""

from meetbook.app import create_app

app = create_app()
