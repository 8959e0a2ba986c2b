"""Cheat: one request at a time, each taking ~0.6 s (no concurrency, slow model). Built on ../standin/."""

import time
from http.server import HTTPServer

from standin import Handler, serve


class SlowHandler(Handler):
    def generate(self, prompt: str, n: int) -> list[str]:
        time.sleep(0.6)
        return super().generate(prompt, n)


if __name__ == "__main__":
    serve(SlowHandler, HTTPServer)
