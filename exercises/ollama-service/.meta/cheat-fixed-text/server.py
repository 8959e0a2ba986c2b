"""Cheat: every prompt gets the same canned answer (a stub, not a model). Built on ../standin/."""

from standin import Handler, serve


class CannedHandler(Handler):
    def generate(self, prompt: str, n: int) -> list[str]:
        return ["Hello! ", "I am ", "a helpful ", "assistant. ", "How can ", "I help?"]


if __name__ == "__main__":
    serve(CannedHandler)
