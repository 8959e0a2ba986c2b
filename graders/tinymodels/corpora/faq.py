"""The *faq* corpus: support questions and answers for Quillbox, a fictional cloud-storage service.

Every document is one pair in a fixed format::

    Q: How do I turn on two-step login on my iPhone?
    A: Open the Quillbox app, tap Settings > Security and turn on Two-step login. ...

The answers come from one consistent fact base (plans, prices, limits, error codes, settings
paths per platform), so a fine-tuned model can learn *facts* as well as the format: the hidden
split asks about the same product in new combinations and phrasings, and its perplexity falls
only if the model picked up the domain. The vocabulary (sync, storage, GB, E705, Preferences)
is deliberately far from the general corpus.

Contract: :func:`document` draws one pair from ``rng`` and uses no other randomness.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PRODUCT = "Quillbox"


@dataclass(frozen=True)
class Platform:
    phrase: str  # in the asker's voice: "on my iPhone"; "" means no platform named
    where: str  # in the answer's voice: "on an iPhone"
    family: str  # "desktop" | "mobile" | "web" | "any"
    tray: str = ""  # where the desktop app's icon lives


PLATFORMS: tuple[Platform, ...] = (
    Platform("on Windows", "on Windows", "desktop", "system tray"),
    Platform("on my Windows laptop", "on Windows", "desktop", "system tray"),
    Platform("on my Mac", "on a Mac", "desktop", "menu bar"),
    Platform("on Linux", "on Linux", "desktop", "top bar"),
    Platform("on my Android phone", "on Android", "mobile"),
    Platform("on my iPhone", "on an iPhone", "mobile"),
    Platform("on my iPad", "on an iPad", "mobile"),
    Platform("in the web app", "in the web app", "web"),
    Platform("in the browser", "in the browser", "web"),
    Platform("", "", "any"),
)


@dataclass(frozen=True)
class Feature:
    """A how-to intent. ``steps`` maps a platform family to its answer (absent = unavailable)."""

    ask: str  # verb phrase in the asker's voice: "change my password"
    steps: dict[str, str]
    note: str = ""


_DESK = "Click the {p} icon in the {tray}, open Preferences > "
_MOB = "Open the {p} app, tap Settings > "
_WEB = "Sign in at quillbox.example, open Account > "

FEATURES: tuple[Feature, ...] = (
    Feature("turn on two-step login", {
        "desktop": _DESK + "Security and switch on Two-step login.",
        "mobile": _MOB + "Security and turn on Two-step login.",
        "web": _WEB + "Security and click Turn on next to Two-step login.",
    }, "After that, you need a six-digit code from your authenticator app when you sign in on a new device."),
    Feature("change my password", {
        "desktop": _DESK + "Account and click Change password.",
        "mobile": _MOB + "Account > Change password.",
        "web": _WEB + "Security and click Change password.",
    }, "Your new password must have at least 10 characters."),
    Feature("share a folder", {
        "desktop": "Right-click the folder in your Quillbox folder, choose Share and type the email "
                   "addresses of the people you want to invite.",
        "mobile": "Tap the three dots next to the folder, choose Share and type the email addresses "
                  "of the people you want to invite.",
        "web": "Select the folder, click Share in the toolbar and type the email addresses of the "
               "people you want to invite.",
    }, "People you invite can edit the files unless you choose Can view."),
    Feature("create a share link", {
        "desktop": "Right-click the file, choose Share and click Copy link.",
        "mobile": "Tap the three dots next to the file and choose Copy link.",
        "web": "Select the file and click Copy link in the toolbar.",
    }, "Anyone with the link can download the file. On the Free plan, links expire after 7 days."),
    Feature("restore a deleted file", {
        "web": "Sign in at quillbox.example, open Trash, select the file and click Restore.",
        "mobile": "Open the {p} app, tap Files > Trash, then tap the file and choose Restore.",
    }, "How long deleted files stay in the Trash depends on your plan."),
    Feature("see older versions of a file", {
        "desktop": "Right-click the file and choose Version history.",
        "web": "Select the file and click Version history in the toolbar.",
    }, "Pick a version and click Restore to make it the current one."),
    Feature("pause syncing", {
        "desktop": "Click the {p} icon in the {tray} and choose Pause syncing.",
        "mobile": "Open the {p} app and tap Settings > Sync > Pause.",
    }, "Syncing starts again by itself after two hours, or when you click Resume."),
    Feature("turn on camera upload", {
        "mobile": _MOB + "Camera upload and switch it on.",
    }, "Photos are uploaded only on Wi-Fi unless you allow mobile data."),
    Feature("choose which folders sync", {
        "desktop": _DESK + "Sync and click Choose folders.",
    }, "Folders you do not choose stay in the cloud and are removed from this computer."),
    Feature("keep files available offline", {
        "desktop": "Right-click the file and choose Keep on this device.",
        "mobile": "Tap the three dots next to the file and choose Make available offline.",
    }, "Offline files use space on your device."),
    Feature("turn on dark mode", {
        "desktop": _DESK + "General and set Theme to Dark.",
        "mobile": _MOB + "Appearance and choose Dark.",
        "web": _WEB + "Appearance and choose Dark.",
    }),
    Feature("change the language", {
        "desktop": _DESK + "General and pick a language under Language.",
        "mobile": "The app uses the language of your phone. Change it in your phone settings.",
        "web": _WEB + "Profile and pick a language under Language.",
    }, "Quillbox is available in 14 languages."),
    Feature("sign out of another device", {
        "web": _WEB + "Devices and click Remove next to the device.",
        "mobile": _MOB + "Devices and tap Remove next to the device.",
    }, "The removed device signs out at once and deletes its offline copies."),
    Feature("change my email address", {
        "web": _WEB + "Profile and click Change email.",
        "mobile": _MOB + "Account > Email.",
    }, "We send a link to the new address. The change takes effect when you click it."),
    Feature("delete my account", {
        "web": _WEB + "Profile, scroll down and click Delete account.",
    }, "Cancel any paid plan first. Deleted accounts cannot be restored after 30 days."),
    Feature("export all my files", {
        "web": _WEB + "Privacy and click Export my data.",
    }, "We email you a download link when the archive is ready, usually within a few hours."),
    Feature("turn off notifications", {
        "desktop": _DESK + "Notifications and switch off the ones you do not want.",
        "mobile": _MOB + "Notifications and switch off the ones you do not want.",
        "web": _WEB + "Notifications and untick the emails you do not want.",
    }),
    Feature("reset my password if I forgot it", {
        "desktop": "Click Forgot password on the sign-in screen and follow the link we email you.",
        "mobile": "Tap Forgot password on the sign-in screen and follow the link we email you.",
        "web": "Click Forgot password on the sign-in page and follow the link we email you.",
    }, "The link is valid for one hour."),
    Feature("upload a folder", {
        "desktop": "Copy or move the folder into your Quillbox folder. It uploads on its own.",
        "mobile": "Tap the plus button, choose Upload and select the folder.",
        "web": "Drag the folder from your computer onto the browser window.",
    }),
)


@dataclass(frozen=True)
class Plan:
    name: str
    storage: str
    price: str
    devices: str
    history: str
    max_file: str
    support: str


PLANS: tuple[Plan, ...] = (
    Plan("Free", "5 GB", "nothing", "3 devices", "30 days", "2 GB",
         "email support with a reply within 72 hours"),
    Plan("Plus", "200 GB", "$2.99 per month or $29.99 per year", "10 devices", "90 days", "10 GB",
         "email and chat support"),
    Plan("Pro", "2 TB", "$9.99 per month or $99.99 per year", "unlimited devices", "180 days",
         "50 GB", "priority support with a reply within 4 hours"),
    Plan("Team", "1 TB per member", "$12 per member per month", "unlimited devices", "365 days",
         "100 GB", "priority support and a personal account manager"),
)

# (attribute, question templates, answer template); {plan} is the name, other fields by name.
PLAN_QUESTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("How much storage do I get with {P} {plan}?", "What is the storage limit on the {plan} plan?",
      "How much space does {P} {plan} have?"),
     "The {plan} plan includes {storage} of storage."),
    (("How much does {P} {plan} cost?", "What is the price of the {plan} plan?",
      "Is the {plan} plan expensive?"),
     "{P} {plan} costs {price}."),
    (("How many devices can I use with the {plan} plan?", "Is there a device limit on {P} {plan}?"),
     "With the {plan} plan you can link {devices} to your account."),
    (("How long are deleted files kept on the {plan} plan?",
      "How long does {P} keep old versions on {plan}?"),
     "On the {plan} plan, deleted files and old versions are kept for {history}."),
    (("What is the largest file I can upload on {plan}?", "Is there a file size limit on {P} {plan}?"),
     "On the {plan} plan, each file can be up to {max_file}."),
    (("What support do I get with {plan}?", "Does the {plan} plan include support?"),
     "The {plan} plan comes with {support}."),
)


@dataclass(frozen=True)
class ErrorCode:
    code: str
    meaning: str
    fix: str
    when: str  # what the asker was doing


ERRORS: tuple[ErrorCode, ...] = (
    ErrorCode("E101", "your Quillbox storage is full",
              "Delete files you no longer need, empty the Trash, or move to a plan with more storage.",
              "upload a file"),
    ErrorCode("E118", "the Quillbox folder was moved or renamed",
              "Move the folder back, or choose its new place in Preferences > Sync.", "start the app"),
    ErrorCode("E204", "the file name has a character that is not allowed, such as a colon or a question mark",
              "Rename the file without these characters and it will sync again.", "sync a file"),
    ErrorCode("E256", "the app cannot reach the Quillbox servers",
              "Check your internet connection and any firewall or proxy settings.", "sign in"),
    ErrorCode("E310", "the file is larger than your plan allows",
              "Split the file into smaller parts or move to a plan with a higher file size limit.",
              "upload a large video"),
    ErrorCode("E402", "your payment did not go through",
              "Check that your card has not expired, or add a new payment method under Account > Billing.",
              "renew my plan"),
    ErrorCode("E417", "the share link has expired", "Ask the owner of the file to create a new link.",
              "open a share link"),
    ErrorCode("E503", "our servers are busy", "Wait a few minutes and try again. Your files are safe.",
              "open a folder"),
    ErrorCode("E612", "you have reached the device limit of your plan",
              "Remove a device you no longer use under Account > Devices, or move to a bigger plan.",
              "sign in on a new phone"),
    ErrorCode("E705", "the same file was changed on two devices at the same time",
              "Quillbox keeps both versions. Open the file named conflicted copy and merge the changes.",
              "edit a shared file"),
    ErrorCode("E811", "the new password is too short", "Choose a password with at least 10 characters.",
              "change my password"),
    ErrorCode("E903", "your session has expired", "Sign out and sign in again.", "open the app"),
)

# Fixed intents: (question paraphrases, answer).
FIXED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Which payment methods do you accept?", "How can I pay for {P}?", "Can I pay with PayPal?"),
     "We accept credit cards, debit cards, PayPal and {P} gift cards."),
    (("Can I pay with cash?", "Can I pay by bank transfer?", "Do you accept cryptocurrency?"),
     "No. We accept credit cards, debit cards, PayPal and {P} gift cards. Team plans can also "
     "pay by invoice."),
    (("Can I get a refund?", "I paid by mistake. Can I get my money back?", "What is your refund policy?"),
     "Yes. If you cancel within 14 days of a payment, we refund the full amount. After that, your "
     "plan stays active until the end of the billing period."),
    (("Where can I find my invoices?", "How do I download a receipt?", "Can I get an invoice for my payment?"),
     "All invoices are in Account > Billing > Invoices. You can download each one as a PDF."),
    (("Is there a student discount?", "Do students get a lower price?"),
     "Yes. Students get 50% off {P} Plus for one year. Sign up with your school email address."),
    (("Can I switch from monthly to yearly billing?", "Is it cheaper to pay yearly?"),
     "Yes. Open Account > Billing and choose Pay yearly. Paying yearly saves about 16%."),
    (("Are my files encrypted?", "Is my data safe with {P}?", "How do you protect my files?"),
     "Yes. Your files are encrypted with AES-256 when they are stored and with TLS while they travel "
     "to our servers."),
    (("Can {P} staff see my files?", "Do your employees look at my photos?"),
     "No. Our staff cannot open your files. We only see the name and size of a file when you ask "
     "support to look at a sync problem."),
    (("Where are my files stored?", "In which country is my data kept?"),
     "Your files are stored in our data centres in Dublin and Oregon. Team accounts can choose the region."),
    (("How can I contact support?", "What are your support hours?", "How do I reach a person at {P}?"),
     "You can email help@quillbox.example at any time. Chat support is open Monday to Friday from "
     "8:00 to 20:00 UTC for Plus, Pro and Team members."),
    (("Do you have phone support?", "Can I call {P}?"),
     "No, we do not offer phone support. Please use email or chat."),
    (("Someone stole my phone. What should I do?", "I lost my phone. Are my files safe?"),
     "Sign in at quillbox.example, open Account > Devices and click Remove next to the phone. The app "
     "on that device signs out at once and deletes its offline copies."),
    (("Why is syncing so slow?", "My files take forever to sync. Why?"),
     "Large files and many small files take longer. Check that syncing is not paused and that no "
     "upload limit is set in Preferences > Network."),
    (("Does {P} work on a Chromebook?", "Can I use {P} on a Chromebook?"),
     "There is no Chromebook app, but the web app at quillbox.example works in Chrome."),
)

# (platform phrase, answer) for "does it run on X?".
SUPPORT: tuple[tuple[str, str], ...] = (
    ("Windows", "Yes. The {P} app runs on Windows 10 or later. Download it from quillbox.example/download."),
    ("a Mac", "Yes. The {P} app runs on macOS 12 or later. Download it from quillbox.example/download."),
    ("Linux", "Yes. There are .deb and .rpm packages for Ubuntu 22.04, Fedora 38 and later at "
              "quillbox.example/download."),
    ("Android", "Yes. The {P} app runs on Android 9 or later. Get it from Google Play."),
    ("an iPhone", "Yes. The {P} app runs on iOS 16 or later. Get it from the App Store."),
    ("an iPad", "Yes. The {P} app runs on iPadOS 16 or later. Get it from the App Store."),
    ("Windows 7", "No. Windows 7 is no longer supported. You can still use the web app in a browser."),
    ("a smart TV", "No, there is no {P} app for TVs. You can use the web app in a browser."),
)

_HOW = (
    "How do I {ask}{on}?", "How can I {ask}{on}?", "Can I {ask}{on}?", "What is the way to {ask}{on}?",
    "I want to {ask}{on}. What should I do?", "Where can I {ask}{on}?", "Is it possible to {ask}{on}?",
)
_ERR = (
    "What does error {code} mean?", "I see error {code}{on}. What should I do?",
    "Why do I get error {code} when I {when}?", "How do I fix error {code}?",
    "{P} shows {code}{on} when I {when}. Help!",
)
_GREETINGS = ("", "", "", "Hi! ", "Hello. ", "Quick question. ", "I am new to {P}. ")
_CLOSINGS = ("", "", "", " If you still need help, contact support.", " We hope this helps!")
_FAMILY_NAMES = {"desktop": "the desktop app", "mobile": "the mobile app", "web": "the web app"}


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: tuple[str, ...]) -> str:
        return self.rng.choice(items)


def _how_to(w: _Writer) -> tuple[str, str]:
    feature = w.rng.choice(FEATURES)
    platform = w.rng.choice(PLATFORMS)
    on = f" {platform.phrase}" if platform.phrase else ""
    question = w.pick(_HOW).format(ask=feature.ask, on=on)
    fmt = {"p": PRODUCT, "tray": platform.tray or "system tray"}
    if platform.family == "any":
        # No platform named: answer for every place the feature exists.
        parts = [f"In {_FAMILY_NAMES[fam]}: {step.format(**fmt)}"
                 for fam, step in feature.steps.items()]
        answer = " ".join(parts)
    elif platform.family in feature.steps:
        answer = feature.steps[platform.family].format(**fmt)
    else:
        where = " and ".join(_FAMILY_NAMES[f] for f in feature.steps)
        answer = f"This is not possible {platform.where}. You can {feature.ask.replace('my ', 'your ')} in {where}."
    if feature.note and w.rng.random() < 0.7:
        answer += " " + feature.note
    return question, answer


def _plan(w: _Writer) -> tuple[str, str]:
    plan = w.rng.choice(PLANS)
    questions, answer = w.rng.choice(PLAN_QUESTIONS)
    fields = {"P": PRODUCT, "plan": plan.name, **{k: getattr(plan, k) for k in
              ("storage", "price", "devices", "history", "max_file", "support")}}
    return w.pick(questions).format(**fields), answer.format(**fields)


def _compare(w: _Writer) -> tuple[str, str]:
    a, b = w.rng.sample(PLANS, 2)
    question = w.pick(("What is the difference between {a} and {b}?", "Should I choose {a} or {b}?",
                       "How is {P} {a} different from {b}?")).format(a=a.name, b=b.name, P=PRODUCT)
    answer = (f"{a.name} gives you {a.storage} of storage and keeps old versions for {a.history}. "
              f"{b.name} gives you {b.storage} and keeps old versions for {b.history}. "
              f"{a.name} costs {a.price}, and {b.name} costs {b.price}.")
    return question, answer


def _change_plan(w: _Writer) -> tuple[str, str]:
    i, j = sorted(w.rng.sample(range(len(PLANS)), 2))
    low, high = PLANS[i], PLANS[j]
    if w.rng.random() < 0.5:
        question = w.pick(("How do I upgrade from {a} to {b}?", "Can I move from {a} to {b}?")).format(
            a=low.name, b=high.name)
        answer = (f"Go to Account > Plans and choose {high.name}. The change takes effect right away, and "
                  f"you only pay the difference for the rest of the billing period.")
    else:
        question = w.pick(("What happens to my files if I downgrade from {b} to {a}?",
                           "Can I go back from {b} to {a}?")).format(a=low.name, b=high.name)
        answer = (f"Your files are not deleted. If you use more than {low.storage}, your account becomes "
                  f"read-only until you free up space or upgrade again.")
    return question, answer


def _error(w: _Writer) -> tuple[str, str]:
    err = w.rng.choice(ERRORS)
    platform = w.rng.choice(PLATFORMS)
    on = f" {platform.phrase}" if platform.phrase else ""
    question = w.pick(_ERR).format(code=err.code, on=on, when=err.when, P=PRODUCT)
    return question, f"Error {err.code} means that {err.meaning}. {err.fix}"


def _fixed(w: _Writer) -> tuple[str, str]:
    questions, answer = w.rng.choice(FIXED)
    return w.pick(questions).format(P=PRODUCT), answer.format(P=PRODUCT)


def _support(w: _Writer) -> tuple[str, str]:
    where, answer = w.rng.choice(SUPPORT)
    question = w.pick(("Does {P} work on {x}?", "Can I use {P} on {x}?", "Is there a {P} app for {x}?"))
    return question.format(P=PRODUCT, x=where), answer.format(P=PRODUCT)


_KINDS = (_how_to, _plan, _compare, _change_plan, _error, _fixed, _support)
_WEIGHTS = (0.4, 0.15, 0.05, 0.05, 0.15, 0.15, 0.05)


def document(rng: random.Random) -> str:
    """Draw one ``Q: …\\nA: …`` pair from ``rng``."""
    w = _Writer(rng)
    kind = rng.choices(_KINDS, weights=_WEIGHTS)[0]
    question, answer = kind(w)
    greeting = w.pick(_GREETINGS).format(P=PRODUCT)
    closing = w.pick(_CLOSINGS)
    return f"Q: {greeting}{question}\nA: {answer}{closing}"
