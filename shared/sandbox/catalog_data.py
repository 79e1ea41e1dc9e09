"""Static facts behind the sandbox catalogue: real provider names and realistic denominations.

Provider strings are kept exactly as the real price list spells them (odd casing included), see
the contract's section 10. Denominations follow what Indonesian PPOB shops sell.
"""

from __future__ import annotations

# operator -> code prefix
OPERATORS: dict[str, str] = {
    "TELKOMSEL": "TSEL",
    "INDOSAT": "ISAT",
    "XL": "XL",
    "AXIS": "AXIS",
    "TRI": "TRI",
    "SMARTFREN": "SMART",
    "by.U": "BYU",
}

OPERATOR_TITLES: dict[str, str] = {
    "TELKOMSEL": "Telkomsel",
    "INDOSAT": "Indosat",
    "XL": "XL",
    "AXIS": "Axis",
    "TRI": "Tri",
    "SMARTFREN": "Smartfren",
    "by.U": "by.U",
}

PULSA_NOMINALS = (
    5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000, 70_000,
    75_000, 80_000, 90_000, 100_000, 150_000, 200_000, 300_000, 500_000, 1_000_000,
)  # fmt: skip

TRANSFER_NOMINALS = (5_000, 10_000, 25_000, 50_000, 100_000)

DATA_QUOTAS = (
    "500 MB",
    "1 GB",
    "2 GB",
    "3 GB",
    "5 GB",
    "8 GB",
    "10 GB",
    "15 GB",
    "25 GB",
    "50 GB",
)
DATA_VALIDITY_DAYS = (1, 3, 7, 14, 30)
DATA_EXTRAS = (
    ("Paket SMS & Telpon", "Nelpon Sesama 60 Menit / 1 Hari", 3_000),
    ("Paket SMS & Telpon", "Nelpon Sesama 300 Menit / 7 Hari", 12_000),
    ("Paket SMS & Telpon", "Nelpon Semua Operator 100 Menit / 30 Hari", 35_000),
    ("Paket SMS & Telpon", "SMS 1000 / 30 Hari", 10_000),
    ("Internet Sakti", "Internet Sakti 15 GB / 30 Hari", 60_000),
    ("Internet Sakti", "Unlimited Harian 1 GB/hari / 30 Hari", 90_000),
)

EMONEY: tuple[str, ...] = (
    "DANA", "GOPAY", "OVO", "SHOPEEPAY", "AstraPay", "BRI BRIZZI", "DOKU", "GRAB", "MAXIM",
    "Indriver", "MandiriEToll", "KasPro", "ShopeeFoodDriver", "Sakuku", "MitraShopee",
    "MitraBlibli", "TapCashBNI", "i.saku",
)  # fmt: skip
EMONEY_NOMINALS = (
    10_000, 20_000, 25_000, 30_000, 50_000, 75_000, 100_000, 150_000, 200_000, 250_000,
    300_000, 500_000, 1_000_000,
)  # fmt: skip

VOUCHERS: dict[str, tuple[int, ...]] = {
    "GOOGLE PLAY INDONESIA": (5_000, 10_000, 20_000, 50_000, 100_000, 150_000, 300_000, 500_000),
    "GOOGLE PLAY KOREA SELATAN": (5_000, 10_000, 30_000, 50_000, 100_000),
    "GOOGLE PLAY US REGION": (2, 5, 10, 15, 25, 50, 100),
    "MTix": (50_000, 100_000, 200_000),
    "INDOMARET": (25_000, 50_000, 100_000, 200_000, 500_000),
    "HOTELMURAH": (100_000, 250_000, 500_000),
}

PLN_NOMINALS = (20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000)

# game provider -> (name prefix in product names, unit, price per unit, denominations)
GAMES_DETAILED: dict[str, tuple[str, str, float, tuple[int, ...]]] = {
    "MOBILE LEGENDS": (
        "MOBILELEGEND",
        "Diamond",
        262.0,
        (
            3,
            5,
            10,
            12,
            19,
            28,
            36,
            44,
            59,
            74,
            85,
            86,
            110,
            170,
            172,
            222,
            240,
            257,
            279,
            296,
            344,
            370,
            408,
            429,
            514,
            568,
            600,
            706,
            878,
            963,
            1050,
            1220,
            1412,
            2195,
            3688,
            5532,
            9288,
        ),
    ),  # fmt: skip
    "MOBILE LEGENDS GLOBAL": (
        "MOBILELEGEND GLOBAL",
        "Diamond",
        290.0,
        (11, 22, 56, 86, 172, 257, 344, 514, 706, 2195),
    ),
    "FREE FIRE": (
        "FREE FIRE",
        "Diamond",
        140.0,
        (5, 12, 50, 70, 100, 140, 210, 280, 355, 425, 500, 720, 860, 1000, 1450, 2180, 3640, 7290),
    ),  # fmt: skip
    "PUBG MOBILE": (
        "PUBG MOBILE",
        "UC",
        252.0,
        (30, 60, 120, 180, 240, 325, 385, 500, 660, 985, 1320, 1800, 3850, 8100),
    ),
    "Genshin Impact": (
        "Genshin Impact",
        "Genesis Crystals",
        255.0,
        (60, 300, 980, 1980, 3280, 6480),
    ),
    "Honkai Star Rail": (
        "Honkai Star Rail",
        "Oneiric Shard",
        255.0,
        (60, 300, 980, 1980, 3280, 6480),
    ),
    "Call of Duty MOBILE": (
        "Call of Duty MOBILE",
        "CP",
        160.0,
        (31, 63, 128, 321, 645, 1373, 2750, 6930),
    ),
    "Valorant": ("Valorant", "Points", 140.0, (125, 420, 700, 1375, 2400, 4000, 8150)),
    "Roblox": ("Roblox", "Robux", 190.0, (80, 160, 240, 400, 800, 1700, 4500, 10000)),
    "Honor of Kings": ("Honor of Kings", "Tokens", 175.0, (8, 16, 23, 80, 240, 400, 560, 1200)),
    "Stumble Guys": ("Stumble Guys", "Gems", 75.0, (100, 250, 550, 1150, 2500, 6000)),
    "Clash of Clans": ("Clash of Clans", "Gems", 155.0, (80, 500, 1200, 2500, 6500, 14000)),
    "Clash Royale": ("Clash Royale", "Gems", 155.0, (80, 500, 1200, 2500, 6500, 14000)),
    "Arena of Valor": ("Arena of Valor", "Vouchers", 240.0, (7, 18, 40, 90, 230, 470, 950)),
    "POINT BLANK": ("POINT BLANK", "Cash", 1.0, (1200, 6000, 12000, 24000, 36000, 60000)),
    "Sausage Man": ("Sausage Man", "Candy", 165.0, (60, 180, 316, 698, 1160, 3460, 6480)),
    "Super Sus": ("Super Sus", "Goldstar", 160.0, (100, 310, 520, 1060, 2180, 5600)),
    "Eggy Party": ("Eggy Party", "Coins", 160.0, (60, 180, 300, 680, 1280, 3280, 6480)),
    "Zepeto": ("Zepeto", "ZEMS", 550.0, (14, 60, 125, 250, 500, 1300)),
}

GAMES_GENERIC: tuple[str, ...] = (
    "Asphalt 9", "Astral Guardians", "Ace Racer", "8 Ball Pool", "Arena Breakout", "Undawn",
    "Werewolf (Party Game)", "Watcher of Realms", "Tower of Fantasy", "Tom and Jerry: Chase",
    "The Ants Underground Kingdom", "State of Survival", "Speed Drifters",
    "Snowbreak Containment Zone", "Dragonheir Silent Gods", "Hatsune Miku Colorful Stage",
    "Honkai Impact 3", "Light of Thel New Era", "Auto Chess", "Be The King", "Bleach Mobile 3D",
    "Bullet Angel", "Chaos Crisis", "Dark Continent Mist", "DRAGON RAJA - SEA", "Cloud Song",
    "Ensemble Stars Music", "EOS RED", "Era of Celestial", "Eternal City", "Farlight 84",
    "FC Mobile", "Football Master 2", "Goddess of Victory Nikke", "Growtopia", "HAGO",
    "Harry Potter Magic Awakened", "Heroes Evolved", "Hyper Front", "Identity V",
    "Ragnarok X Next Generation", "Ragnarok Origin", "Ragnarok M: Eternal Love",
    "Rise of Kingdom",
)  # fmt: skip
GENERIC_UNITS = ("Diamonds", "Gems", "Coins", "Crystals", "Gold", "Points")
GENERIC_DENOMS = (30, 60, 120, 300, 600, 980, 1980, 3280, 6480, 12960)

# provider -> (category, plans as (label, price))
STREAMING: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {}
_VIDEO = (("1 Hari", 3_000), ("7 Hari", 12_000), ("1 Bulan", 35_000), ("3 Bulan", 95_000))
_PREMIUM = (("1 Bulan", 55_000), ("3 Bulan", 150_000), ("12 Bulan", 520_000))
_APP = (("1 Bulan", 25_000), ("6 Bulan", 120_000), ("12 Bulan", 210_000))
for _p in (
    "Viu", "Vidio", "WETV", "YOUKU", "Iqiyi", "BSTATION", "DRAMABOX", "Transvision",
    "Starpass", "Disney", "HBO", "HBOGO&MAX",
):  # fmt: skip
    STREAMING[_p] = ("Streaming", _VIDEO)
for _p in ("Netflix", "Prime Video", "Youtube Premium", "SPOTIFY", "APPLE MUSIC"):
    STREAMING[_p] = ("Streaming", (("Mingguan", 15_000), ("1 Bulan", 45_000), *_PREMIUM[1:]))
for _p in (
    "Alight Motion", "Capcut", "canva", "PICSART", "ZOOM PRO", "VPN Express Premium", "VPN HMA",
    "VPN SURFSHARK", "SCRIBD", "REMINI PRO", "GSUITE X PSC", "GEMINI", "GDRIVE LIFETIME",
    "DUOLINGGO", "CHATGPT", "AI PERPLEXITY", "AI BLACKBOX",
):  # fmt: skip
    STREAMING[_p] = ("Aplikasi", _APP)
STREAMING["WIFI ID"] = ("Aplikasi", (("1 Hari", 5_000), ("7 Hari", 20_000), ("30 Hari", 50_000)))
STREAMING["TIX ID"] = ("Voucher", (("Voucher 50.000", 50_000), ("Voucher 100.000", 100_000)))
STREAMING["Bigo Live"] = ("Streaming", (("80 Diamond", 20_000), ("420 Diamond", 100_000)))
STREAMING["StarMaker"] = ("Streaming", (("VIP 1 Bulan", 30_000), ("VIP 3 Bulan", 80_000)))

# (code, name, category, provider, admin fee)
POSTPAID: tuple[tuple[str, str, str, str, int], ...] = (
    ("PPLN", "PLN Pascabayar", "PLN", "PLN", 2_500),
    ("BPJS", "BPJS Kesehatan", "BPJS", "BPJS KESEHATAN", 2_500),
    ("BPJSTK", "BPJS Ketenagakerjaan", "BPJS", "BPJS KETENAGAKERJAAN", 2_500),
    ("PINT1", "Indihome / Telkom", "Internet", "INDIHOME", 2_750),
    ("PINT2", "Biznet Home", "Internet", "BIZNET", 2_750),
    ("PINT3", "First Media", "Internet", "FIRST MEDIA", 2_750),
    ("PINT4", "MyRepublic", "Internet", "MYREPUBLIC", 2_750),
    ("HP1", "Halo Postpaid", "HP Pascabayar", "TELKOMSEL", 2_500),
    ("HP2", "Indosat Ooredoo Postpaid", "HP Pascabayar", "INDOSAT", 2_500),
    ("HP3", "Smartfren Postpaid", "HP Pascabayar", "SMARTFREN", 2_500),
    ("HP4", "XL Prioritas", "HP Pascabayar", "XL", 2_500),
    ("PGAS", "PGN Gas", "Gas", "PGN", 2_500),
    ("PDAM1", "PDAM Kota Bandung", "PDAM", "PDAM", 2_500),
    ("PDAM2", "PDAM Kota Surabaya", "PDAM", "PDAM", 2_500),
    ("PDAM3", "PAM Jaya (DKI Jakarta)", "PDAM", "PDAM", 2_500),
    ("PDAM4", "PDAM Kota Semarang", "PDAM", "PDAM", 2_500),
    ("FIF", "FIF Group", "Multifinance", "FIF", 2_750),
    ("ADIRA", "Adira Finance", "Multifinance", "ADIRA", 2_750),
    ("PBB", "PBB Kota Bekasi", "Pajak", "PBB", 2_750),
    ("TVK1", "Transvision Pascabayar", "TV Kabel", "TRANSVISION", 2_500),
)
