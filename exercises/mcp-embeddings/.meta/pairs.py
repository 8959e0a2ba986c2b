"""Hidden sentence pairs for the semantic check of ``mcp-embeddings`` (trusted library code).

Paraphrases say the same thing in other words (few shared content words); hard negatives share
words but not meaning. A bag-of-words embedding therefore ranks them the wrong way round, while a
sentence encoder (MiniLM) separates them easily. :func:`draw` picks a fresh subset per run.
"""

from __future__ import annotations

import random

PARAPHRASES: list[list[str]] = [
    ["How do I reset my password?", "I forgot my login credentials and cannot get into my account.",
     "What should I do if I can't remember the passphrase for signing in?"],
    ["The weather will be sunny and warm tomorrow.", "Expect clear skies and high temperatures the next day.",
     "Tomorrow looks bright, with plenty of heat."],
    ["She is learning to play the piano.", "She takes keyboard lessons to become a pianist.",
     "She practises piano as a beginner."],
    ["The train to Berlin was delayed by two hours.", "Our rail journey to the German capital ran 120 minutes late."],
    ["Drink plenty of water when you exercise.", "Stay hydrated during workouts.",
     "Make sure to take fluids while doing sport."],
    ["The company reported record profits this quarter.",
     "The firm's earnings reached an all-time high in the latest quarter."],
    ["My laptop battery drains very quickly.", "The notebook computer loses its charge fast."],
    ["He cooked pasta for dinner.", "He made spaghetti for the evening meal."],
    ["The museum is closed on Mondays.", "On Mondays the art gallery does not let visitors in."],
    ["Please turn off the lights when leaving the room.", "Switch the lamps off as you go out."],
    ["The child is afraid of the dark.", "The kid gets scared at night without a lamp."],
    ["Prices in the supermarket went up again.", "Groceries have become more expensive once more."],
    ["The meeting has been moved to Thursday.", "We rescheduled the appointment for Thursday."],
    ["The dog barked at the mail carrier.", "Our puppy growled and yelped at the postman."],
    ["I need a doctor's appointment for my sore throat.", "My throat hurts, so I want to see a physician."],
    ["The flight was cancelled because of the storm.", "Bad weather grounded the plane."],
    ["He runs five kilometres every morning.", "Each day at dawn he jogs 5 km."],
    ["This restaurant serves excellent sushi.", "The Japanese raw fish at this place is delicious."],
    ["The software update fixed the security bug.", "The patch closed the vulnerability."],
    ["We are planning a trip to the mountains.", "Our family intends to go hiking in the Alps."],
    ["The library lends books for three weeks.", "You may borrow reading material for 21 days."],
    ["Electric cars produce no exhaust emissions.", "Battery-powered vehicles don't emit fumes from a tailpipe."],
    ["The baby finally fell asleep.", "At last the infant is sleeping."],
    ["How much does a ticket to the concert cost?", "What is the price of admission for the show?"],
    ["The river flooded the village.", "Water from the overflowing stream inundated the small town."],
    ["She lost her keys on the bus.", "Her house keys went missing during the bus ride."],
    ["Learning a new language takes time.", "Becoming fluent in a foreign tongue is a slow process."],
    ["The printer is out of paper.", "There are no sheets left in the printing machine."],
    ["Our team won the football match.", "We beat the other side in the soccer game."],
    ["The coffee is too hot to drink.", "This cup of espresso is scalding, wait before sipping it."],
    ["The store opens at nine in the morning.", "The shop starts business at 9 a.m."],
    ["Smoking damages your lungs.", "Cigarettes harm the respiratory system."],
    ["The students handed in their homework late.", "The pupils submitted their assignments after the deadline."],
    ["The garden needs watering.", "The plants outside are thirsty."],
    ["He apologised for being rude.", "He said sorry for his impolite behaviour."],
    ["Can you recommend a good book?", "What novel would you suggest I read?"],
    ["The internet connection keeps dropping.", "My Wi-Fi disconnects all the time."],
    ["The cat is sleeping on the sofa.", "The kitten naps on the couch."],
    ["Traffic was terrible this morning.", "The roads were jammed during my commute today."],
    ["The bakery sells fresh bread.", "You can buy loaves baked today at the baker's."],
]

HARD_NEGATIVES: list[tuple[str, str]] = [
    ("The bank approved my loan.", "We had a picnic on the river bank."),
    ("The match was cancelled because of rain.", "He struck a match to light the candle."),
    ("Apple released a new phone.", "She ate an apple with her lunch."),
    ("The plant closed and the workers lost their jobs.", "Water the plant twice a week."),
    ("It is too cold to play outside.", "He caught a cold and stayed at home."),
    ("The football pitch was wet after the storm.", "The singer could not hold the pitch."),
    ("The light in the kitchen is too bright.", "The suitcase is very light."),
    ("Turn right at the next corner.", "You have the right to remain silent."),
    ("The concert ticket price went up.", "The police gave him a ticket for speeding."),
    ("The train was delayed again.", "I train at the gym every day."),
    ("The mouse ran under the fridge.", "Click the left mouse button."),
    ("He wore a tie to the wedding.", "The game ended in a tie."),
    ("The key to the front door is lost.", "The key to success is hard work."),
    ("She planted a rose in the garden.", "The temperature rose sharply at noon."),
    ("He put the letter in the envelope.", "The word starts with the letter B."),
    ("The kids played in the park.", "Park the car behind the house."),
    ("My watch stopped at midnight.", "Watch out for the falling rocks."),
    ("The spring water is very clean.", "A spring in the mattress is broken."),
    ("The fair opens in August.", "The referee's decision was not fair."),
    ("He fired the employee.", "The soldiers fired at the target."),
    ("The scale shows my weight.", "The fish was covered in shiny scales."),
    ("Pass me the salt, please.", "You need a pass to enter the building."),
    ("The bank approved the mortgage.", "Fishermen sat along the bank of the stream."),
    ("She will file the report today.", "He sharpened the blade with a file."),
    ("The bark of the old oak is rough.", "The dogs bark whenever a car passes."),
    ("A bass swam under the boat.", "He plays bass in a jazz band."),
    ("The sink in the bathroom is blocked.", "Heavy stones sink in water."),
    ("He will address the crowd tonight.", "Write your address on the form."),
    ("The engine needs a new belt.", "He tightened the belt on his trousers."),
    ("Let me record the meeting.", "She broke the world record in swimming."),
    ("The jam jar is empty.", "We were stuck in a traffic jam."),
    ("The pen ran out of ink.", "The pigs stayed in their pen all night."),
]


def draw(seed: int, positives: int = 24, negatives: int = 24) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A per-run subset: paraphrase pairs, and negatives (half hard, half from unrelated groups)."""
    rng = random.Random(seed)
    groups = rng.sample(PARAPHRASES, min(positives, len(PARAPHRASES)))
    pos = [tuple(rng.sample(g, 2)) for g in groups]
    n_hard = min(negatives // 2, len(HARD_NEGATIVES))
    neg: list[tuple[str, str]] = [tuple(p) for p in rng.sample(HARD_NEGATIVES, n_hard)]  # type: ignore[misc]
    while len(neg) < negatives:
        a, b = rng.sample(PARAPHRASES, 2)
        neg.append((rng.choice(a), rng.choice(b)))
    return [(a, b) for a, b in pos], neg
