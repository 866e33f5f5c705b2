"""The dashboard: a small web application over the scenario, experiment and report layers.

``realpolitik serve`` starts it (:func:`realpolitik.app.server.serve`). The server is a Starlette
application run by uvicorn; the page is plain HTML and JavaScript that draws with the copy of
Plotly.js shipped inside the installed ``plotly`` package, so it works offline. Model work runs in
a pool of worker processes (:mod:`realpolitik.app.engine`); the server itself only validates
requests, reads the scenarios it was started with, and passes results on.
"""
