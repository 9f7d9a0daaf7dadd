"""The words a generated population (:mod:`stature.generate`) writes with.

Twelve topics, each with a role (for bios), 30 words and 6 hashtags; no word or
hashtag belongs to two topics, so a topic can be told from its words. Filler words,
shared by all topics, make the posts read like sentences. Names and handle parts are
for the accounts.
"""
from __future__ import annotations

# name: (role in a bio, words, hashtags); weight = how many accounts are interested, relatively
TOPICS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "ai": ("ML engineer", (
        "model", "neural", "dataset", "training", "transformer", "inference", "benchmark", "embedding",
        "gradient", "prompt", "agent", "alignment", "token", "finetuning", "gpu", "robotics", "vision",
        "llm", "learning", "algorithm", "paper", "open-source", "evaluation", "reasoning", "weights",
        "compute", "multimodal", "classifier", "annotation", "attention"),
        ("AI", "MachineLearning", "DeepLearning", "LLM", "NLP", "DataScience")),
    "climate": ("climate scientist", (
        "emissions", "carbon", "warming", "renewable", "solar", "wind", "drought", "glacier", "heatwave",
        "adaptation", "ocean", "wildfire", "methane", "permafrost", "grid", "battery", "biodiversity",
        "forest", "flooding", "sea-level", "decarbonise", "net-zero", "sustainability", "recycling",
        "pollution", "ecosystem", "rainfall", "coral", "heat-pump", "ice-sheet"),
        ("ClimateAction", "ClimateCrisis", "NetZero", "Renewables", "Sustainability", "COP")),
    "football": ("football writer", (
        "goal", "striker", "keeper", "midfield", "transfer", "league", "derby", "penalty", "offside",
        "tactics", "manager", "fixture", "stadium", "fans", "kickoff", "trophy", "assist", "defender",
        "winger", "referee", "var", "clean-sheet", "relegation", "champions", "lineup", "injury",
        "halftime", "scoreline", "pitch", "academy"),
        ("Football", "PremierLeague", "UCL", "MatchDay", "WorldCup", "TransferNews")),
    "music": ("musician", (
        "album", "guitar", "chorus", "vinyl", "tour", "setlist", "concert", "melody", "drummer", "playlist",
        "studio", "remix", "lyrics", "bassline", "synth", "producer", "festival", "acoustic", "single",
        "band", "vocals", "encore", "jazz", "orchestra", "soundtrack", "mixtape", "gig", "rehearsal",
        "headliner", "b-side"),
        ("NewMusic", "NowPlaying", "LiveMusic", "Vinyl", "Jazz", "IndieMusic")),
    "politics": ("policy analyst", (
        "election", "parliament", "senate", "ballot", "campaign", "policy", "vote", "candidate", "debate",
        "legislation", "minister", "coalition", "referendum", "budget", "reform", "governor", "polling",
        "constituency", "bill", "opposition", "mayor", "democracy", "turnout", "caucus", "manifesto",
        "cabinet", "veto", "lobbying", "diplomacy", "census"),
        ("Election2024", "Politics", "Democracy", "Vote", "Policy", "Parliament")),
    "cooking": ("home cook", (
        "recipe", "sourdough", "garlic", "simmer", "roast", "spice", "pasta", "oven", "broth", "umami",
        "kitchen", "chef", "ferment", "braise", "dough", "butter", "herbs", "salad", "dessert", "marinade",
        "skillet", "baking", "curry", "noodle", "tomato", "brunch", "vegan", "seasoning", "grill",
        "pastry"),
        ("Foodie", "Recipe", "HomeCooking", "Baking", "Vegan", "FoodPhotography")),
    "space": ("astronomer", (
        "rocket", "orbit", "launch", "telescope", "galaxy", "nebula", "astronaut", "lunar", "mars",
        "satellite", "exoplanet", "comet", "booster", "payload", "spacecraft", "eclipse", "asteroid",
        "cosmology", "supernova", "rover", "spacewalk", "starship", "observatory", "gravity", "jupiter",
        "black-hole", "planetary", "spectrum", "meteor", "mission"),
        ("Space", "NASA", "Astronomy", "JWST", "Mars", "Astrophotography")),
    "gaming": ("game developer", (
        "console", "speedrun", "multiplayer", "quest", "patch", "esports", "controller", "indie",
        "roguelike", "boss", "level", "loot", "streamer", "rpg", "shooter", "pixel", "modding",
        "leaderboard", "open-world", "dlc", "respawn", "co-op", "tournament", "sandbox", "retro", "glitch",
        "achievement", "raid", "character", "platformer"),
        ("Gaming", "Esports", "IndieGame", "NintendoSwitch", "PCGaming", "Twitch")),
    "finance": ("investor", (
        "stocks", "bonds", "inflation", "dividend", "portfolio", "earnings", "interest", "market", "crypto",
        "yield", "valuation", "hedge", "equity", "recession", "ipo", "liquidity", "volatility", "etf",
        "savings", "mortgage", "bitcoin", "trading", "revenue", "fintech", "rates", "treasury", "invest",
        "index", "bull", "bear"),
        ("Investing", "Stocks", "Finance", "Crypto", "Markets", "PersonalFinance")),
    "health": ("nurse", (
        "vaccine", "nutrition", "sleep", "fitness", "clinic", "patient", "therapy", "wellbeing", "cardio",
        "diagnosis", "mental", "immune", "protein", "hospital", "symptoms", "marathon", "yoga", "trial",
        "epidemiology", "diabetes", "screening", "hydration", "recovery", "physio", "prevention",
        "public-health", "virus", "stress", "strength", "checkup"),
        ("Health", "PublicHealth", "MentalHealth", "Fitness", "Wellness", "Nutrition")),
    "film": ("film critic", (
        "director", "screenplay", "trailer", "cinema", "premiere", "actor", "sequel", "cinematography",
        "documentary", "box-office", "streaming", "editing", "casting", "script", "animation", "thriller",
        "horror", "comedy", "oscar", "scene", "reboot", "critic", "storyboard", "matinee", "blockbuster",
        "biopic", "noir", "cameo", "franchise", "screening-room"),
        ("Film", "Movies", "Cinema", "Oscars", "FilmTwitter", "Documentary")),
    "travel": ("travel writer", (
        "itinerary", "backpacking", "passport", "flight", "hostel", "island", "beach", "roadtrip", "hiking",
        "museum", "visa", "luggage", "airport", "train", "sunset", "village", "cruise", "mountains",
        "camping", "layover", "guidebook", "souvenir", "nomad", "trek", "coastline", "ferry", "landmark",
        "lodge", "jetlag", "wanderlust"),
        ("Travel", "Wanderlust", "TravelTips", "Backpacking", "RoadTrip", "TravelPhotography")),
}
TOPIC_WEIGHTS = (1.4, 1.0, 1.5, 1.3, 1.4, 1.0, 0.8, 1.2, 1.0, 0.9, 1.0, 1.1)

FILLER = (
    "the", "a", "new", "today", "really", "this", "great", "thoughts", "on", "about", "why", "how", "we",
    "our", "just", "more", "week", "big", "love", "read", "and", "with", "for", "is", "my", "best",
    "first", "time", "so", "what",
)

FIRST_NAMES = (
    "Ada", "Ben", "Carla", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya",
    "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf",
    "Zoe", "Aiko", "Bruno", "Chloe", "Dario", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi",
    "Lena", "Mateo", "Noor",
)
LAST_NAMES = (
    "Adams", "Berg", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kim",
    "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Varga",
    "Wong", "Xu", "Yilmaz", "Zhang", "Andersen", "Bianchi", "Chen", "Dubois", "Ekström", "Ferreira",
    "Gruber", "Horvat", "Iqbal", "Jovanovic", "Kowalski", "Larsen", "Mensah", "Nguyen",
)
HANDLE_ADJECTIVES = (
    "bright", "calm", "swift", "bold", "quiet", "lucky", "sunny", "brave", "clever", "gentle", "wild",
    "keen", "noble", "rapid", "happy", "cosmic", "urban", "silver", "golden", "little",
)
HANDLE_NOUNS = (
    "fox", "owl", "river", "maple", "comet", "otter", "pine", "harbor", "falcon", "meadow", "tiger",
    "cedar", "wave", "lark", "stone", "panda", "raven", "spark", "orca", "willow",
)
