"""Exit 0 when the PostgreSQL server of the URL answers (connecting to its maintenance database)."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(sys.argv[1])
maintenance = urlunsplit((url.scheme, url.netloc, "/postgres", url.query, url.fragment))
try:
    psycopg.connect(maintenance, connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
