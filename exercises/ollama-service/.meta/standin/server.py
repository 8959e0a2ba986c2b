"""The stand-in Ollama server as it is (standin.py): it works; the cheats built on it change one thing."""

from standin import serve

if __name__ == "__main__":
    serve()
