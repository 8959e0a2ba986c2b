"""Word lists for the general corpus. Plain data; order matters (it fixes the seeded stream).

The lists are long on purpose: a byte-level BPE with a 4096-token vocabulary only fills up when
the corpus has a few thousand distinct words, and a tiny model is only interesting when the
slots of a template are genuinely uncertain.
"""

from __future__ import annotations

FEMALE_NAMES: list[str] = [
    "Mia", "Lily", "Emma", "Ava", "Zoe", "Nora", "Ruby", "Lucy", "Anna", "Ella", "Maya", "Rosa",
    "Ivy", "Clara", "Hazel", "Iris", "June", "Alice", "Grace", "Sara", "Tess", "Lena", "Nina", "Wren",
    "Olive", "Mila", "Ada", "Freya", "Leah", "Amira", "Priya", "Yara", "Beatrice", "Chloe", "Daisy",
    "Edith", "Fiona", "Gemma", "Harriet", "Imogen", "Jasmine", "Keira", "Laila", "Matilda", "Naomi",
    "Ophelia", "Penelope", "Quinn", "Rosalind", "Sophia", "Talia", "Ursula", "Violet", "Willow",
    "Ximena", "Yasmin", "Zara", "Aisha", "Bianca", "Camille", "Dalia", "Esme", "Flora", "Greta",
    "Hana", "Ingrid", "Juno", "Kira", "Lorna", "Mabel", "Nadia", "Odette", "Pippa", "Rhea", "Selma",
    "Tamsin", "Una", "Vera", "Winnie", "Astrid", "Bella", "Cora", "Delphine", "Elsa", "Fatima",
]
MALE_NAMES: list[str] = [
    "Tom", "Ben", "Sam", "Leo", "Max", "Jack", "Finn", "Owen", "Noah", "Eli", "Hugo", "Theo",
    "Luke", "Adam", "Oscar", "Felix", "Omar", "Ravi", "Milo", "Jonah", "Kai", "Arlo", "Ezra", "Pete",
    "Ivan", "Tariq", "Kenji", "Marco", "Otto", "Rafael", "Silas", "Victor", "Albert", "Bruno",
    "Caleb", "Dmitri", "Edgar", "Frederick", "George", "Harvey", "Isaac", "Jasper", "Kofi", "Lionel",
    "Magnus", "Nikolai", "Orson", "Patrick", "Quentin", "Rupert", "Stefan", "Tobias", "Umar",
    "Vincent", "Walter", "Xavier", "Yusuf", "Zachary", "Anders", "Benedict", "Cyrus", "Dorian",
    "Emil", "Florian", "Gideon", "Hamish", "Idris", "Julian", "Kasimir", "Lorenzo", "Mateo",
    "Nils", "Oliver", "Percy", "Reuben", "Sebastian", "Thaddeus", "Ulrich", "Wilbur", "Yannick",
]

ADJECTIVES: tuple[str, ...] = (
    "little", "big", "happy", "brave", "kind", "quiet", "clever", "shy", "funny", "old", "young",
    "gentle", "curious", "friendly", "sleepy", "busy", "lucky", "tiny", "tall", "small", "bright",
    "noisy", "calm", "proud", "silly", "wise", "strong", "fast", "slow", "careful", "cheerful",
    "lonely", "playful", "polite", "warm", "sunny", "peaceful", "lovely", "strange", "wonderful",
    "grumpy", "honest", "generous", "clumsy", "fearless", "thoughtful", "restless", "patient",
    "mischievous", "graceful", "stubborn", "adventurous", "dreamy", "hungry", "tidy", "messy",
    "sensible", "nimble", "cheeky", "modest", "jolly", "timid", "bold", "loyal", "merry", "witty",
)

PLACE_ADJECTIVES: tuple[str, ...] = (
    "busy", "quiet", "peaceful", "lovely", "noisy", "bright", "calm", "strange", "wonderful",
    "beautiful", "crowded", "empty", "cheerful", "sleepy", "magical", "windswept", "shady",
    "colourful", "ancient", "enormous", "cosy", "spotless", "muddy", "glittering", "mysterious",
)

COLORS: tuple[str, ...] = (
    "red", "blue", "green", "yellow", "orange", "purple", "pink", "brown", "black", "white", "grey",
    "golden", "silver", "crimson", "turquoise", "violet", "scarlet", "navy", "amber", "emerald",
)

OBJECTS: tuple[str, ...] = (
    "ball", "kite", "book", "hat", "box", "key", "cup", "lamp", "map", "boat", "drum", "shell",
    "stone", "feather", "coin", "flower", "apple", "bell", "ribbon", "blanket", "basket", "bucket",
    "scarf", "umbrella", "bicycle", "clock", "candle", "pencil", "letter", "ring", "jar", "whistle",
    "robot", "puzzle", "teddy bear", "toy train", "paper boat", "glass bottle", "wooden spoon",
    "music box", "backpack", "lantern", "notebook", "sandwich", "cookie", "balloon", "crayon",
    "mirror", "rope", "wagon", "telescope", "compass", "violin", "flute", "trumpet", "guitar",
    "piano", "harmonica", "skateboard", "scooter", "sled", "tent", "hammock", "pillow", "kettle",
    "teapot", "saucepan", "ladder", "shovel", "hammer", "paintbrush", "sketchbook", "magnifying glass",
    "pocket watch", "postcard", "snow globe", "marble", "yo-yo", "jigsaw", "chessboard", "globe",
    "necklace", "bracelet", "sweater", "mitten", "boot", "sandal", "raincoat", "fishing rod",
    "watering can", "flowerpot", "birdhouse", "treasure chest", "pinecone", "acorn", "seashell",
)

PLACES: tuple[str, ...] = (
    "the park", "the forest", "the beach", "the market", "the library", "the river", "the garden",
    "the school", "the hill", "the farm", "the lake", "the town square", "the old bridge",
    "the kitchen", "the castle", "the bakery", "the zoo", "the meadow", "the harbour", "the museum",
    "the station", "the village", "the mountain", "the playground", "the island", "the cave",
    "the orchard", "the lighthouse", "the windmill", "the greenhouse", "the swimming pool",
    "the cinema", "the hospital", "the post office", "the fire station", "the aquarium",
    "the valley", "the waterfall", "the desert", "the jungle", "the canyon", "the pier",
    "the attic", "the cellar", "the barn", "the stable", "the pond", "the vineyard", "the bookshop",
    "the toy shop", "the bus stop", "the campsite", "the observatory", "the marsh",
)

TOWNS: tuple[str, ...] = (
    "Riverton", "Oakridge", "Millbrook", "Stonehaven", "Pinecrest", "Willowdale", "Brightwater",
    "Ashford", "Fernhill", "Maplewood", "Redcliff", "Kingsbridge", "Larkfield", "Eastmoor",
    "Summerset", "Coldwater", "Hollowmere", "Thornbury", "Greenvale", "Silverlake", "Foxley",
    "Elmstead", "Harrowgate", "Duskwood",
)

TIMES: tuple[str, ...] = (
    "One morning", "One sunny day", "Last summer", "Long ago", "On a cold winter night",
    "After school", "One rainy afternoon", "Early in the morning", "On a windy day",
    "One spring day", "Late in the evening", "On a birthday morning", "On a snowy day", "Yesterday",
    "One autumn evening", "During the holidays", "At sunrise", "Just before dinner",
)

WEATHER: tuple[str, ...] = ("sunny", "rainy", "windy", "snowy", "cloudy", "foggy", "warm", "cold")

EMOTIONS: tuple[str, ...] = (
    "happy", "sad", "scared", "proud", "excited", "tired", "curious", "angry", "calm", "surprised",
    "worried", "hopeful", "nervous", "lonely", "grateful", "delighted", "puzzled", "relieved",
)

# How a hero feels when the problem strikes.
WORRIES: tuple[str, ...] = (
    "sad", "scared", "worried", "nervous", "upset", "surprised", "angry", "confused", "lonely",
    "frightened", "disappointed", "anxious",
)

# (job, what they do)
JOBS: tuple[tuple[str, str], ...] = (
    ("baker", "bakes bread"),
    ("farmer", "grows food"),
    ("doctor", "helps sick people"),
    ("teacher", "helps children learn"),
    ("pilot", "flies planes"),
    ("painter", "paints pictures"),
    ("fisher", "catches fish"),
    ("builder", "builds houses"),
    ("firefighter", "puts out fires"),
    ("librarian", "looks after books"),
    ("gardener", "takes care of plants"),
    ("postman", "brings letters"),
    ("cook", "makes meals"),
    ("vet", "helps sick animals"),
    ("tailor", "sews clothes"),
    ("driver", "drives a bus"),
    ("carpenter", "makes things from wood"),
    ("dentist", "looks after teeth"),
    ("nurse", "cares for patients"),
    ("musician", "plays music"),
    ("sailor", "works on a ship"),
    ("astronaut", "travels into space"),
    ("beekeeper", "looks after bees"),
    ("shepherd", "watches over sheep"),
    ("potter", "makes pots from clay"),
    ("blacksmith", "shapes hot iron"),
    ("mechanic", "fixes cars"),
    ("scientist", "does experiments"),
)

# (present, past) of an activity, for diaries and days in the life.
ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("read a book", "read a book"), ("play chess", "played chess"), ("ride a bike", "rode a bike"),
    ("swim in the lake", "swam in the lake"), ("draw pictures", "drew pictures"),
    ("sing songs", "sang songs"), ("climb trees", "climbed trees"), ("collect shells", "collected shells"),
    ("bake cookies", "baked cookies"), ("build a fort", "built a fort"),
    ("watch the stars", "watched the stars"), ("plant flowers", "planted flowers"),
    ("play football", "played football"), ("skip stones", "skipped stones"),
    ("write a poem", "wrote a poem"), ("feed the ducks", "fed the ducks"),
    ("fly a kite", "flew a kite"), ("go fishing", "went fishing"), ("pick berries", "picked berries"),
    ("play hide and seek", "played hide and seek"), ("visit grandma", "visited grandma"),
    ("clean the room", "cleaned the room"), ("practise the piano", "practised the piano"),
    ("paint a fence", "painted a fence"), ("make a snowman", "made a snowman"),
    ("jump in puddles", "jumped in puddles"), ("tell stories", "told stories"),
    ("learn a new song", "learned a new song"), ("fix a bicycle", "fixed a bicycle"),
    ("do a puzzle", "did a puzzle"),
)

FOODS: tuple[str, ...] = (
    "bread", "soup", "rice", "noodles", "pancakes", "porridge", "cheese", "carrots", "potatoes",
    "tomatoes", "beans", "peas", "eggs", "honey", "jam", "butter", "yoghurt", "muffins", "dumplings",
    "pie", "salad", "cucumbers", "onions", "mushrooms", "pumpkins", "lentils", "oats", "sausages",
    "biscuits", "cabbage", "spinach", "corn", "olives", "walnuts", "almonds", "plums", "figs",
    "raisins", "chocolate", "milk",
)

MEALS: tuple[str, ...] = ("breakfast", "lunch", "dinner", "a picnic", "a party", "a feast")

VEHICLES: tuple[str, ...] = (
    "bus", "train", "tractor", "ship", "plane", "truck", "tram", "ferry", "van", "canoe",
    "sailboat", "helicopter", "hot air balloon",
)

DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

OPPOSITES: tuple[tuple[str, str], ...] = (
    ("hot", "cold"), ("big", "small"), ("up", "down"), ("day", "night"), ("fast", "slow"),
    ("happy", "sad"), ("open", "closed"), ("old", "new"), ("wet", "dry"), ("light", "dark"),
    ("loud", "quiet"), ("full", "empty"), ("early", "late"), ("tall", "short"), ("soft", "hard"),
    ("heavy", "light"), ("clean", "dirty"), ("rich", "poor"), ("brave", "afraid"), ("near", "far"),
)

NUMBER_WORDS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)

IRREGULAR_PLURALS: dict[str, str] = {
    "mouse": "mice", "sheep": "sheep", "fish": "fish", "wolf": "wolves", "leaf": "leaves",
    "knife": "knives", "child": "children", "goose": "geese", "peach": "peaches", "scarf": "scarves",
    "deer": "deer", "yo-yo": "yo-yos", "piano": "pianos", "salmon": "salmon",
}

# Words that take "an": vowel-initial (the lists hold no "unicorn"-like exceptions).
AN_PREFIXES: tuple[str, ...] = ("a", "e", "i", "o", "u")

# Syllables for invented words. Rare words are what real text is full of: they break into word
# pieces, and a model that never sees pieces is helpless (NLL ~15 nats per piece) on any new
# domain. Invented names and plants give the general corpus that long tail.
ONSETS: tuple[str, ...] = (
    "b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
    "pl", "qu", "r", "s", "sh", "sk", "sn", "st", "t", "th", "tr", "v", "w", "z", "",
)
NUCLEI: tuple[str, ...] = ("a", "e", "i", "o", "u", "ai", "ee", "oo", "ou", "ia", "y", "ea")
CODAS: tuple[str, ...] = ("", "", "", "n", "r", "l", "m", "s", "x", "ck", "nd", "rt", "st", "pp", "ll", "tt")
