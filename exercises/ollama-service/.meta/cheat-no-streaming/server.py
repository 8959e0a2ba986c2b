"""Cheat: ignores `stream`: always one JSON object, never NDJSON chunks. Built on ../standin/."""

from standin import Handler, serve


class OneShotHandler(Handler):
    def streams(self, body: dict) -> bool:
        return False


if __name__ == "__main__":
    serve(OneShotHandler)
