"""Plain data for the generated world: name parts, devices, trades, and how each is said twice.

Order matters (it fixes the seeded stream). Every ``(said, paraphrase)`` pair below says one thing
in two ways that share no content word (tests/graders/world check this), so that a query written
in the paraphrase is found by meaning and not by words: lexical search misses it, sentence
embeddings find it.
"""

from __future__ import annotations

# Syllables for invented names: surnames, towns, rivers, brands. Fresh per world, so a hidden
# question is never about a name a learner trained on.
ONSETS: tuple[str, ...] = (
    "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "pr", "qu",
    "r", "s", "sk", "st", "t", "th", "tr", "v", "w", "z",
)
VOWELS: tuple[str, ...] = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "y", "ae")
CODAS: tuple[str, ...] = ("", "", "n", "r", "l", "s", "th", "nd", "rk", "m", "x", "ck", "st", "v")
SURNAME_ENDINGS: tuple[str, ...] = ("ley", "wick", "ton", "more", "dell", "sby", "field", "ard", "ing", "ell", "ow")
TOWN_ENDINGS: tuple[str, ...] = ("holm", "bridge", "ford", "mouth", "stead", "wick", "dale", "haven", "by", "gate")
RIVER_ENDINGS: tuple[str, ...] = ("water", "burn", "lin", "flow", "beck")

FEMALE_FIRST: tuple[str, ...] = (
    "Ada", "Beatrix", "Clara", "Dora", "Elsa", "Freya", "Greta", "Hilda", "Ines", "Jana", "Katja", "Lena", "Maren",
    "Nell", "Olga", "Petra", "Rosa", "Sigrid", "Thea", "Una", "Vera", "Wilma", "Yara", "Zelda", "Agnes", "Birgit",
    "Cora", "Edda", "Frida", "Ida", "Liv", "Mira", "Nora", "Orla", "Runa", "Selma", "Tove", "Ulla",
)
MALE_FIRST: tuple[str, ...] = (
    "Anton", "Bruno", "Caspar", "Dmitri", "Emil", "Felix", "Gustav", "Henrik", "Ivo", "Jonas", "Karl", "Lars",
    "Magnus", "Niklas", "Oskar", "Pavel", "Rune", "Stefan", "Tobias", "Ulrich", "Viktor", "Walter", "Yannick",
    "Albin", "Bertil", "Conrad", "Edvard", "Fritz", "Gunnar", "Hugo", "Ivar", "Joakim", "Leif", "Mattis", "Olav",
)

# Organisations: "<name> <kind>", e.g. "Vrennick Glassworks".
ORG_KINDS: tuple[str, ...] = (
    "Instruments", "Foundry", "Glassworks", "Works", "Company", "Workshop", "Brothers", "Manufactory",
    "Engineering", "Mechanics", "Ironworks", "Optics",
)

# (device, what its article says it does, the same in other words). A product is "the <brand>
# <code> <device>"; its use is unique within a world, so a query about the use has one answer.
DEVICES: tuple[tuple[str, str, str], ...] = (
    ("barometer", "warns sailors of approaching storms", "tells seafarers that bad weather is coming"),
    ("loom", "weaves woollen cloth for winter coats", "produces textiles of sheep fleece for cosy jackets"),
    ("kiln", "fires clay pots at great heat", "bakes earthenware vessels at scorching temperatures"),
    ("telescope", "shows distant planets to astronomers", "lets stargazers see faraway worlds"),
    ("pump", "drains flooded mines", "empties inundated underground tunnels of their seepage"),
    ("lamp", "lights the streets after dusk", "illuminates roads once evening falls"),
    ("press", "prints newspapers every morning", "produces daily gazettes at dawn"),
    ("scale", "weighs grain at the market", "tells traders the heft of cereal harvests"),
    ("compass", "guides hikers through thick fog", "helps walkers find direction in mist"),
    ("stove", "heats farmhouses in the cold season", "gives rural dwellings cosy warmth in frosty months"),
    ("mill", "grinds wheat into flour", "crushes cereal kernels into powder for baking"),
    ("clock", "keeps time for the railway", "tells train conductors the hour"),
    ("microscope", "reveals tiny organisms in pond water", "lets scientists study minute creatures of lakes"),
    ("bellows", "feeds air to blacksmith fires", "blasts gusts into a forge's flames"),
    ("sextant", "measures the angle of the sun above the horizon", "tells navigators how high our star climbs"),
    ("thermometer", "records fever in hospital patients", "checks body warmth of ill folk in clinics"),
    ("lathe", "turns wooden chair legs", "shapes timber furniture parts by rotating them"),
    ("still", "distils perfume from rose petals", "extracts fragrance of flowers"),
    ("winch", "lifts heavy cargo onto ships", "hoists weighty freight aboard vessels"),
    ("churn", "makes butter from fresh cream", "transforms dairy into a spread"),
    ("sieve", "sorts gravel by size", "separates pebbles into big and small"),
    ("kettle", "boils water for tea", "warms liquid until it bubbles for a steaming beverage"),
    ("camera", "takes portraits of families", "captures pictures of relatives"),
    ("phonograph", "plays recorded songs", "reproduces captured music"),
    ("typewriter", "types letters for offices", "writes correspondence for clerks"),
    ("seismograph", "detects earthquakes", "notices tremors of the ground"),
    ("anemometer", "measures wind speed on mountain tops", "tells how fast breezes blow at summits"),
    ("hygrometer", "tracks humidity in greenhouses", "monitors moisture in glasshouses full of plants"),
    ("spinning wheel", "spins flax into thread", "twists plant fibres into yarn"),
    ("plough", "breaks up hard soil before sowing", "loosens firm earth ahead of planting seeds"),
    ("harvester", "cuts barley in late summer", "reaps cereal crops at the close of the sunny months"),
    ("distiller", "purifies drinking water", "cleans liquid so humans can safely consume it"),
    ("foghorn", "warns ships near rocky coasts", "alerts vessels close to dangerous shores"),
    ("lighthouse lens", "focuses a beam across the bay", "concentrates a ray of brightness onto the port"),
    ("sewing machine", "stitches sails for fishing boats", "sews canvas for trawlers"),
    ("printing block", "stamps patterns onto silk", "presses designs on fine fabric"),
    ("ice box", "keeps fish cold on the way to market", "chills the catch during transport to traders"),
    ("bicycle", "carries the post between villages", "delivers mail to hamlet upon hamlet"),
    ("steam engine", "drives the machines of a sawmill", "runs equipment that saws trunks into planks"),
    ("water wheel", "powers a paper mill", "runs the machinery producing sheets for writing"),
    ("telegraph", "sends messages along wires", "transmits news via cables"),
    ("organ", "plays hymns in the cathedral", "performs church chants in a big chapel"),
    ("violin", "is played by the city orchestra", "produces melodies for the municipal symphony"),
    ("diving bell", "takes divers to the sea floor", "lowers swimmers to the bottom of the ocean"),
    ("hot air balloon", "carries passengers above the valley", "raises travellers high beyond the lowlands"),
    ("fire engine", "sprays water on burning buildings", "extinguishes blazes in houses"),
    ("beehive", "collects honey from wild meadows", "gathers nectar sweets of open fields"),
    ("incubator", "hatches chicken eggs", "warms poultry ova until chicks emerge"),
)

# (trade, what a person's article says they did, the same in other words).
TRADES: tuple[tuple[str, str, str], ...] = (
    ("clockmaker", "repaired the clocks of the town hall", "fixed timepieces at the municipal building"),
    ("glassblower", "shaped coloured bottles", "formed tinted flasks by mouth"),
    ("cartographer", "drew maps of the northern coast", "charted the arctic shoreline"),
    ("chemist", "studied the salts of the marshes", "researched minerals found in wetlands"),
    ("engineer", "built bridges over mountain rivers", "constructed crossings spanning alpine streams"),
    ("weaver", "designed patterned carpets", "created rugs with ornate motifs"),
    ("astronomer", "catalogued comets", "listed icy visitors of the night sky"),
    ("botanist", "collected rare orchids", "gathered unusual flowering plants"),
    ("physician", "treated sailors with scurvy", "cured seamen lacking vitamin C"),
    ("architect", "planned the new harbour", "conceived the reconstructed port"),
    ("luthier", "carved cellos from maple", "crafted stringed instruments of timber"),
    ("geologist", "mapped the caves under the hills", "surveyed caverns beneath the slopes"),
    ("printer", "published books of poetry", "issued volumes of verse"),
    ("smith", "forged iron gates", "hammered metal entrances"),
    ("brewer", "brewed dark ale", "produced black beer"),
    ("baker", "baked rye bread for the garrison", "prepared loaves for the soldiers"),
    ("potter", "threw blue vases", "formed azure jars on a turntable"),
    ("shipwright", "built fishing schooners", "constructed trawling vessels"),
    ("mathematician", "solved problems about prime numbers", "tackled puzzles of indivisible integers"),
    ("photographer", "photographed glaciers", "captured images of frozen expanses"),
)

# Relations a question can ask about, and the type of the answer (for the heuristic baseline).
ANSWER_TYPES: tuple[str, ...] = ("PERSON", "ORG", "TOWN", "YEAR", "NUMBER", "CODE", "RIVER")
