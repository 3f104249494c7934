"""The Django project: settings, root URLs, WSGI, middleware, logging and the web server's configuration.

It wires the apps together and imports nothing of the domain (the URLconf and settings name apps by string).
"""
