"""The fixed "world" the general corpus talks about: animals, fruit, how-tos, story problems.

Facts here are consistent everywhere they appear (a cow always moos), which is what gives a
tiny model something to learn beyond the template skeleton. Plain data; order matters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Animal:
    name: str
    sound: str
    food: str
    home: str
    legs: int
    trait: str


ANIMALS: tuple[Animal, ...] = (
    Animal("dog", "barks", "meat and bones", "houses with people", 4, "loyal"),
    Animal("cat", "meows", "fish and mice", "houses with people", 4, "curious"),
    Animal("cow", "moos", "grass and hay", "barns on farms", 4, "gentle"),
    Animal("horse", "neighs", "hay and oats", "stables", 4, "strong"),
    Animal("sheep", "bleats", "grass", "fields on farms", 4, "woolly"),
    Animal("pig", "oinks", "almost anything", "pens on farms", 4, "clever"),
    Animal("duck", "quacks", "seeds and small fish", "ponds", 2, "cheerful"),
    Animal("owl", "hoots", "mice", "hollow trees", 2, "wise"),
    Animal("frog", "croaks", "flies", "ponds and streams", 4, "jumpy"),
    Animal("bee", "buzzes", "nectar from flowers", "hives", 6, "busy"),
    Animal("lion", "roars", "meat", "grasslands", 4, "brave"),
    Animal("wolf", "howls", "meat", "forests", 4, "wild"),
    Animal("mouse", "squeaks", "seeds and cheese", "small holes", 4, "tiny"),
    Animal("bear", "growls", "berries and fish", "caves in the forest", 4, "big"),
    Animal("rabbit", "thumps", "carrots and clover", "burrows", 4, "quick"),
    Animal("fox", "yips", "berries and mice", "dens in the forest", 4, "sly"),
    Animal("goat", "bleats", "leaves and grass", "hills and farms", 4, "stubborn"),
    Animal("crow", "caws", "seeds and worms", "tall trees", 2, "clever"),
    Animal("snake", "hisses", "mice and eggs", "under rocks", 0, "quiet"),
    Animal("spider", "is silent", "flies", "webs", 8, "patient"),
    Animal("turtle", "is silent", "plants and worms", "ponds and beaches", 4, "slow"),
    Animal("squirrel", "chatters", "nuts and acorns", "tall trees", 4, "busy"),
    Animal("hen", "clucks", "seeds and grain", "coops on farms", 2, "fussy"),
    Animal("dolphin", "clicks", "fish", "the sea", 0, "playful"),
    Animal("deer", "bellows", "leaves and acorns", "woods and meadows", 4, "graceful"),
    Animal("goose", "honks", "grass and grain", "lakes and fields", 2, "loud"),
    Animal("donkey", "brays", "hay and thistles", "farms", 4, "patient"),
    Animal("elephant", "trumpets", "grass and fruit", "savannas and jungles", 4, "enormous"),
    Animal("monkey", "chatters", "fruit and nuts", "jungle trees", 4, "cheeky"),
    Animal("parrot", "squawks", "seeds and fruit", "rainforests", 2, "colourful"),
    Animal("penguin", "squawks", "fish", "icy shores", 2, "waddling"),
    Animal("seal", "barks", "fish", "rocky coasts", 0, "sleek"),
    Animal("hedgehog", "snuffles", "beetles and worms", "hedges and gardens", 4, "prickly"),
    Animal("badger", "grunts", "worms and roots", "setts underground", 4, "shy"),
    Animal("otter", "whistles", "fish and crabs", "rivers", 4, "playful"),
    Animal("beaver", "slaps its tail", "bark and twigs", "lodges on rivers", 4, "hardworking"),
    Animal("tiger", "roars", "meat", "jungles", 4, "striped"),
    Animal("camel", "grumbles", "desert plants", "deserts", 4, "tough"),
    Animal("kangaroo", "grunts", "grass", "dry plains", 2, "bouncy"),
    Animal("swan", "hisses", "water plants", "lakes", 2, "elegant"),
)

FRUITS: tuple[tuple[str, str, str], ...] = (
    # (fruit, colour, taste)
    ("apple", "red", "sweet"),
    ("banana", "yellow", "soft and sweet"),
    ("lemon", "yellow", "sour"),
    ("lime", "green", "sour"),
    ("orange", "orange", "sweet and juicy"),
    ("cherry", "red", "sweet"),
    ("grape", "purple", "sweet"),
    ("plum", "purple", "juicy"),
    ("pear", "green", "sweet"),
    ("strawberry", "red", "sweet"),
    ("blueberry", "blue", "sweet"),
    ("peach", "orange", "soft and sweet"),
    ("watermelon", "green", "juicy"),
    ("coconut", "brown", "mild"),
    ("mango", "orange", "sweet and juicy"),
    ("kiwi", "brown", "tangy"),
    ("raspberry", "red", "sweet and tart"),
    ("pineapple", "yellow", "sweet and tangy"),
    ("apricot", "orange", "soft and sweet"),
    ("gooseberry", "green", "sour"),
)

NATURE_FACTS: tuple[str, ...] = (
    "The sun rises in the east and sets in the west.",
    "Water freezes into ice when it is very cold.",
    "Water boils when it is very hot.",
    "Plants need water and light to grow.",
    "The moon shines at night.",
    "Rain falls from clouds.",
    "Snow is made of tiny pieces of ice.",
    "Leaves turn red and brown in autumn.",
    "Trees grow from small seeds.",
    "A rainbow has seven colours.",
    "Fish breathe under water.",
    "Birds build nests for their eggs.",
    "Stars are very far away.",
    "The sea tastes salty.",
    "Bees help flowers make seeds.",
    "Ice melts in the warm sun.",
    "The wind can move clouds across the sky.",
    "Days are long in summer and short in winter.",
)

CALENDAR_FACTS: tuple[str, ...] = (
    "There are seven days in a week.",
    "There are twelve months in a year.",
    "A day has twenty four hours.",
    "An hour has sixty minutes.",
    "Monday comes after Sunday.",
    "Spring comes after winter.",
    "Summer is the warmest season.",
    "Winter is the coldest season.",
    "A year has four seasons.",
    "The first month of the year is January.",
    "The last month of the year is December.",
)

COLOR_MIXES: tuple[tuple[str, str, str], ...] = (
    ("blue", "yellow", "green"),
    ("red", "yellow", "orange"),
    ("red", "blue", "purple"),
    ("red", "white", "pink"),
    ("black", "white", "grey"),
)

# (task, steps) — steps are in order; a step in [brackets] may be skipped.
HOW_TOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("plant a seed", ("fill a pot with soil", "make a small hole with your finger",
                      "put the seed in the hole", "cover it with soil", "[water it a little every day]",
                      "put the pot in a sunny place")),
    ("make a sandwich", ("take two slices of bread", "[spread butter on one slice]",
                         "put cheese and tomato on the bread", "[add a leaf of lettuce]",
                         "put the other slice on top", "cut it in half")),
    ("fly a kite", ("wait for a windy day", "go to an open field", "hold the kite up high",
                    "run into the wind", "let the string out slowly", "[keep the string tight]")),
    ("wash a dog", ("fill a tub with warm water", "put the dog in the tub gently",
                    "wet the fur all over", "rub in some soap", "rinse the soap away",
                    "dry the dog with a big towel")),
    ("build a sandcastle", ("find wet sand near the water", "fill a bucket with sand",
                            "press the sand down hard", "turn the bucket over quickly",
                            "lift the bucket slowly", "[dig a moat around the castle]")),
    ("bake bread", ("mix flour, water, salt and yeast", "knead the dough for ten minutes",
                    "let it rise for one hour", "shape it into a loaf", "bake it in a hot oven",
                    "[let it cool before you cut it]")),
    ("paint a picture", ("put paper on a table", "choose your colours", "draw a light outline",
                         "paint the big shapes first", "add the small details",
                         "[sign your name in the corner]", "let the paint dry")),
    ("make lemonade", ("squeeze three lemons", "pour the juice into a jug", "add cold water",
                       "stir in some sugar", "[add a few cubes of ice]", "taste it and enjoy")),
    ("tie a shoe", ("cross the two laces", "pull one lace under the other",
                    "make a loop with one lace", "wrap the other lace around the loop",
                    "push it through the hole", "pull both loops tight")),
    ("feed a goldfish", ("check the water is clean", "take a small pinch of fish food",
                         "drop it on top of the water", "watch the fish eat",
                         "[never give too much food]")),
)

# (problem, solution) pairs for stories; {obj} is the character's object, {animal} any animal.
PROBLEMS: tuple[tuple[str, str], ...] = (
    ("the {obj} got stuck in a tall tree", "used a long stick to get the {obj} down"),
    ("it started to rain very hard", "waited under a big tree until the sun came out"),
    ("{pos} {obj} fell into the river", "pulled the {obj} out of the water with a net"),
    ("{pron} could not find {pos} {obj}", "looked under the bed and found the {obj}"),
    ("a big {animal} was standing on the path", "walked around the {animal} very quietly"),
    ("the {obj} broke into two pieces", "fixed the {obj} with some glue"),
    ("the wind blew the {obj} away", "chased the {obj} across the field"),
    ("the door was locked", "found the key under a flower pot"),
    ("{pron} was lost in the forest", "followed the river back home"),
    ("the bridge was too old to cross", "found a safe way over the stones"),
    ("it was getting dark", "lit a lamp and walked home together"),
    ("the {obj} was too heavy to carry", "put the {obj} in a wagon and pulled it"),
)

QUOTES_HELP: tuple[str, ...] = (
    "Do not worry, I will help you.",
    "Let us try together.",
    "I have an idea!",
    "We can do it if we are careful.",
    "Can I help you?",
    "Follow me, I know the way.",
)

MORALS: tuple[str, ...] = (
    "Friends can do hard things together.",
    "It is good to ask for help.",
    "Being kind always makes the day better.",
    "Patience is a good friend.",
    "Sharing makes everyone happy.",
    "It is fine to be scared, as long as you keep trying.",
)




@dataclass(frozen=True)
class Country:
    """An invented country; its facts never change, so they can be learned."""

    name: str
    capital: str
    language: str
    famous_for: str
    landmark: str


COUNTRIES: tuple[Country, ...] = (
    Country("Veloria", "Tarsk", "Velorian", "barley cakes", "the river Sable"),
    Country("Morvania", "Quellin", "Morvish", "smoked fish", "the Grey Mountains"),
    Country("Aldera", "Brisk", "Alderan", "blue cheese", "the Lake of Mirrors"),
    Country("Cyrene", "Palos", "Cyrenic", "olive oil", "the White Cliffs"),
    Country("Drumlin", "Kettering", "Drummish", "wool blankets", "the Misty Moors"),
    Country("Esteral", "Vantor", "Esteran", "silver jewellery", "the Sunken Forest"),
    Country("Falkreth", "Ormund", "Falkish", "wooden toys", "the Iron Falls"),
    Country("Galdoria", "Sephis", "Galdorian", "spiced tea", "the Singing Dunes"),
    Country("Hestmark", "Rundvik", "Hestish", "reindeer stew", "the Frozen Fjord"),
    Country("Istrel", "Camaro", "Istrelian", "glass lanterns", "the Painted Caves"),
    Country("Jorvane", "Telluride", "Jorvanese", "honey bread", "the Amber Hills"),
    Country("Kaldera", "Mossgate", "Kalderan", "copper pots", "the Smoking Mountain"),
    Country("Lunesse", "Belleau", "Lunessian", "lavender soap", "the Moon Gardens"),
    Country("Marrowind", "Osk", "Marrish", "salted herring", "the Storm Coast"),
    Country("Norvale", "Achterberg", "Norvalish", "apple cider", "the Tall Orchards"),
    Country("Ostrava Minor", "Pell", "Ostravan", "painted eggs", "the Seven Bridges"),
    Country("Pallas", "Korinth", "Pallatine", "marble statues", "the Old Harbour"),
    Country("Quorra", "Zimba", "Quorran", "woven baskets", "the Red Plateau"),
    Country("Rhodmere", "Lindhaven", "Rhodish", "clockwork birds", "the Whispering Woods"),
    Country("Sundara", "Amrit", "Sundari", "mango pickles", "the Golden Temple"),
)

# Surnames for grown-ups in stories and letters ("Mrs Hawthorne the baker").
SURNAMES: tuple[str, ...] = (
    "Hawthorne", "Pennington", "Ashcombe", "Blackwood", "Crabtree", "Dunmore", "Fairweather",
    "Greenaway", "Hartley", "Kettleby", "Lockwood", "Merriweather", "Nettleship", "Oakley",
    "Pemberton", "Quickfall", "Rowntree", "Shepherd", "Thistlewood", "Underhill", "Whitlock",
    "Yardley", "Bramble", "Cobblestone", "Dewberry", "Fernsby", "Goodfellow", "Holloway",
)
