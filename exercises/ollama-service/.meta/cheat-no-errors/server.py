"""Cheat: no input validation: any model name is accepted, bad JSON crashes the handler. Built on ../standin/."""

import json

from standin import Handler, serve


class TrustingHandler(Handler):
    def read_body(self) -> dict | None:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))


if __name__ == "__main__":
    serve(TrustingHandler)
