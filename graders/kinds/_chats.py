"""Generated Russian chat messages: Cyrillic with Latin code-switching, emoji, URLs, numbers, mixed case.

The text the ``dataset`` kind streams and the ``tokenizer`` kind trains and tests on. Deterministic
from a seed (``random.Random``, stable across Python versions); standard library only; nothing is
downloaded — every word is the project's own list below.

:class:`ChatWriter` draws one message at a time as *tokens*: words, numbers, URLs, emoji, each
holding no whitespace and no line-break character (a token never contains anything
``str.split()`` or ``str.splitlines()`` would split on). How the tokens are joined is the caller's:
the dataset kind renders whitespace noise between them and knows the clean form is
``" ".join(tokens)``; :meth:`ChatWriter.message` types a message as a person would (single spaces,
now and then two, a tab or a line break) for the tokenizer kind, whose round trip must keep every
byte. ``rare=True`` mixes in characters from a pool the default never draws (Greek, CJK, combining
accents, rare emoji, mathematical letters): text a tokenizer trained on the default cannot have seen.
"""

from __future__ import annotations

import random

__all__ = ["LINE_BREAKS", "RARE", "WHITESPACE", "ChatWriter"]

#: Whitespace the dataset kind puts between tokens: whitespace to ``str.split()``, Unicode's
#: White_Space property and pyarrow alike (so every common way of splitting agrees on it).
WHITESPACE = (" ", "  ", "   ", "\t", " \t ", "\u00a0", " \u00a0 ", "\u2009", "\u202f", "\u3000")
#: Characters ``str.splitlines()`` breaks on besides "\n" and "\r": never generated.
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

_GREETINGS = ("привет", "приветик", "здравствуйте", "хай", "здорово", "доброе утро", "добрый вечер", "салют",
              "всем привет", "hello", "hi")
_NOUNS = (
    "встреча", "встречу", "созвон", "созвона", "чат", "чате", "канал", "канале", "ссылка", "ссылку", "файл", "файлы",
    "датасет", "датасета", "модель", "модели", "обучение", "обучения", "токенизатор", "токены", "эпоха", "эпохи",
    "задача", "задачу", "задачи", "релиз", "релиза", "ветка", "ветку", "ревью", "сервер", "сервера", "ноутбук",
    "видеокарта", "видеокарту", "память", "памяти", "диск", "облако", "бот", "бота", "кофе", "обед", "работа",
    "работе", "офис", "офисе", "дом", "доме", "дорога", "метро", "погода", "дождь", "снег", "выходные", "отпуск",
    "пятница", "понедельник", "завтра", "сегодня", "вчера", "утро", "вечер", "ночь", "неделя", "месяц", "год",
    "деньги", "счёт", "оплата", "подписка", "курс", "лекция", "лекцию", "статья", "статью", "книга", "фильм",
    "сериал", "музыка", "игра", "команда", "команде", "проект", "проекта", "план", "дедлайн", "отчёт", "баг",
    "баги", "ошибка", "ошибку", "логи", "метрика", "метрики", "график", "таблица", "таблицу", "вопрос", "вопросы",
    "ответ", "идея", "пример", "примеры", "шаблон", "документация", "инструкция", "картинка", "видео", "голосовое",
    "сообщение", "сообщения", "новость", "новости", "праздник", "подарок", "торт", "пицца", "чай", "магазин",
    "кошка", "собака", "друг", "друзья", "мама", "папа", "брат", "сестра", "коллега", "коллеги", "начальник",
    "клиент", "заказ", "доставка", "такси", "билеты", "поезд", "самолёт", "гостиница", "море", "горы", "лес",
    "город", "улица", "парк", "спортзал", "тренировка", "врач", "аптека", "ёлка", "ёжик", "объём", "подъезд",
)
_VERBS = (
    "есть", "будет", "было", "нужно", "надо", "можно", "нельзя", "давай", "давайте", "посмотри", "посмотрю",
    "глянь", "скинь", "скину", "кинул", "отправил", "отправила", "написал", "написала", "пиши", "напиши", "знаю",
    "знаешь", "думаю", "думаешь", "кажется", "сделал", "сделала", "сделаем", "делаю", "работает", "сломалось",
    "упало", "починил", "починила", "запустил", "запустила", "обучил", "проверь", "проверил", "проверю", "буду",
    "будешь", "успею", "опаздываю", "опоздаю", "приду", "придёшь", "иду", "еду", "уехал", "вернусь", "позвоню",
    "позвони", "созвонимся", "спишемся", "понял", "поняла", "понятно", "согласен", "согласна", "нравится",
    "люблю", "хочу", "хочешь", "могу", "можешь", "жду", "ждём", "получилось", "получается", "смержил", "задеплоил",
    "закоммитил", "затестил", "пофиксил", "залил", "скачал", "обновил", "перезапусти", "выложил", "посчитал",
)
_ADJECTIVES = (
    "новый", "новая", "новое", "старый", "старая", "большой", "маленький", "быстрый", "медленный", "хороший",
    "хорошая", "плохой", "странный", "странная", "классный", "классная", "крутой", "крутая", "удобный", "сложный",
    "простой", "простая", "важный", "важная", "срочный", "срочно", "последний", "первый", "следующий", "свободный",
    "занятый", "готовый", "готово", "красивый", "вкусный", "холодный", "тёплый", "весёлый", "грустный", "длинный",
    "короткий", "полный", "пустой", "рабочий", "русский", "английский", "общий", "личный", "тестовый",
)
_FUNCTION = (
    "и", "и", "в", "в", "на", "на", "не", "не", "что", "что", "это", "это", "а", "но", "с", "у", "к", "по", "за",
    "из", "от", "для", "про", "без", "до", "же", "ли", "бы", "вот", "так", "как", "там", "тут", "здесь", "уже",
    "ещё", "еще", "тоже", "только", "очень", "совсем", "почти", "потом", "сейчас", "щас", "когда", "где", "куда",
    "почему", "зачем", "кто", "какой", "сколько", "если", "чтобы", "потому", "вообще", "короче", "кстати",
    "наверное", "типа", "прям", "реально", "вроде", "ну", "да", "нет", "ага", "угу", "ок", "окей", "норм",
    "я", "ты", "мы", "вы", "он", "она", "они", "меня", "тебя", "нас", "вас", "мне", "тебе", "нам", "вам", "его",
    "её", "их", "мой", "твой", "наш", "ваш", "свой", "всё", "все", "всем", "ничего", "кто-то", "что-то", "где-то",
)
_LATIN = (
    "ok", "OK", "lol", "deploy", "merge", "commit", "push", "pull", "request", "PR", "API", "GPU", "CPU", "RAM",
    "Python", "PyTorch", "Docker", "GitHub", "Slack", "Zoom", "Jira", "prod", "staging", "hotfix", "release",
    "feature", "bug", "fix", "review", "LGTM", "ASAP", "deadline", "meeting", "call", "sorry", "thanks", "please",
    "btw", "FYI", "IMHO", "ETA", "fine-tune", "embedding", "batch", "epoch", "loss", "accuracy", "tokenizer",
    "dataset", "pipeline", "notebook", "Jupyter", "Kaggle", "HuggingFace", "LLM", "RAG", "LoRA", "GGUF",
    "weekend", "coffee", "lunch", "cool", "nice", "wow", "yes", "no", "maybe", "update", "link", "online",
)
_NAMES = ("Маша", "Петя", "Саша", "Лена", "Дима", "Оля", "Игорь", "Катя", "Миша", "Аня", "Серёжа", "Юля", "Наташа",
          "Вова", "Таня", "Костя", "Женя", "Света", "Паша", "Ира")
_EMOJI = ("😀", "😂", "🤣", "😅", "😊", "😍", "😎", "🤔", "😢", "😭", "😡", "🙈", "👍", "👎", "👌", "🙏", "💪",
          "🔥", "🎉", "✅", "❌", "❤️", "💔", "🚀", "⚡", "☕", "🍕", "🎂", "🤷‍♂️", "👨‍💻", "👩‍🔬", "🇷🇺", "👍🏻")
_PUNCT_AFTER = ("", "", "", "", "", "", ",", ",", ".", "!", "?", "...", "!!", "?!", ")", "))", ":", ";")
_DOMAINS = ("github.com", "t.me", "habr.com", "huggingface.co", "docs.python.org", "example.ru", "disk.yandex.ru",
            "youtu.be", "arxiv.org", "pastebin.com")
_PATH_WORDS = ("repo", "pull", "issues", "blob", "main", "docs", "datasets", "models", "abs", "watch", "share",
               "chat", "file", "view", "post")
#: Characters the default writer never draws: hidden text only (a tokenizer cannot have seen them).
RARE = ("λ", "Ω", "ψ", "漢字", "東京", "ꙮ", "𝔘𝔫𝔦", "∑", "√2", "e\u0301", "n\u0303", "🦩", "🪐", "🧬", "ᚠᚢᚦ", "ש", "ع",
        "Ǆ", "ﬁ", "①", "½")


class ChatWriter:
    """Chat messages drawn from ``seed`` (an int or a string): see the module docstring."""

    def __init__(self, seed: int | str, *, rare: bool = False) -> None:
        self.rng = random.Random(seed)
        self.rare = rare

    def _word(self) -> str:
        r = self.rng.random()
        pool = (_FUNCTION if r < 0.38 else _NOUNS if r < 0.62 else _VERBS if r < 0.80 else
                _ADJECTIVES if r < 0.90 else _NAMES if r < 0.94 else _LATIN)
        word = self.rng.choice(pool)
        if " " in word:
            word = word.replace(" ", "")  # a token holds no whitespace
        c = self.rng.random()
        if c < 0.04:
            word = word.upper()
        elif c < 0.055:
            word = "".join(ch.upper() if i % 2 else ch for i, ch in enumerate(word))
        return word

    def _number(self) -> str:
        rng = self.rng
        kind = rng.randrange(9)
        if kind == 0:
            return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        if kind == 1:
            return f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.choice((2024, 2025, 2026))}"
        if kind == 2:
            return f"{rng.randrange(1, 200) * 50}₽"
        if kind == 3:
            return f"${rng.randrange(1, 500)}"
        if kind == 4:
            return f"+7-9{rng.randrange(10, 100)}-{rng.randrange(100, 1000)}-{rng.randrange(10, 100)}-" \
                   f"{rng.randrange(10, 100)}"
        if kind == 5:
            return f"{rng.randrange(101)}%"
        if kind == 6:
            return f"{rng.randrange(1, 10)}.{rng.randrange(100):02d}"
        if kind == 7:
            return f"v{rng.randrange(4)}.{rng.randrange(20)}.{rng.randrange(10)}"
        return str(rng.randrange(10 ** rng.randrange(1, 7)))

    def _url(self) -> str:
        rng = self.rng
        path = "/".join(rng.choice(_PATH_WORDS) for _ in range(rng.randrange(1, 4)))
        query = f"?id={rng.randrange(10_000)}&q={rng.choice(_PATH_WORDS)}" if rng.random() < 0.3 else ""
        scheme, domain = rng.choice(("https", "https", "http")), rng.choice(_DOMAINS)
        return f"{scheme}://{domain}/{path}/{rng.randrange(1, 5000)}{query}"

    def tokens(self) -> list[str]:
        """One message: 1 to about 30 tokens, none holding whitespace or a line break."""
        rng = self.rng
        n = min(30, 1 + int(rng.expovariate(1 / 7.0)))
        out: list[str] = []
        if rng.random() < 0.12:
            out.append(rng.choice(_GREETINGS).replace(" ", "") + rng.choice((",", "!", "", ")")))
        if rng.random() < 0.08:
            out.append("@" + rng.choice(_NAMES).lower() + rng.choice(("", "_k", "2000", "_dev")))
        while len(out) < n:
            r = rng.random()
            if r < 0.78:
                tok = self._word() + rng.choice(_PUNCT_AFTER)
            elif r < 0.86:
                tok = rng.choice(_EMOJI) * (2 if rng.random() < 0.15 else 1)
            elif r < 0.93:
                tok = self._number()
            elif r < 0.955:
                tok = self._url()
            elif r < 0.975:
                tok = "#" + self._word().lower().strip(",.!?")
            else:
                tok = self._word() + rng.choice(_EMOJI)  # "спасибо🙏"
            if self.rare and rng.random() < 0.08:
                tok = rng.choice(RARE) if rng.random() < 0.5 else tok + rng.choice(RARE)
            out.append(tok)
        if out and rng.random() < 0.6:
            out[0] = out[0][:1].upper() + out[0][1:]
        return out

    def message(self) -> str:
        """A message as typed: tokens joined by single spaces, now and then two spaces, a tab or a
        line break (``\\n`` or ``\\r\\n``). For text that must survive byte for byte."""
        rng = self.rng
        parts: list[str] = []
        for i, tok in enumerate(self.tokens()):
            if i:
                r = rng.random()
                parts.append(" " if r < 0.9 else "  " if r < 0.95 else "\t" if r < 0.97 else
                             "\n" if r < 0.99 else "\r\n")
            parts.append(tok)
        return "".join(parts)
