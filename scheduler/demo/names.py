"""Danish names, towns and companies for the demo centre. Plausible, invented: no real person."""

FIRST_NAMES = [
    "Anne", "Mette", "Hanne", "Susanne", "Lene", "Maria", "Camilla", "Louise", "Pia", "Tina", "Karina",
    "Jette", "Helle", "Bodil", "Birgitte", "Lone", "Ida", "Sofie", "Emma", "Julie", "Peter", "Jens",
    "Lars", "Søren", "Niels", "Henrik", "Michael", "Thomas", "Martin", "Kurt", "Jesper", "Anders",
    "Rasmus", "Mads", "Morten", "Kasper", "Frederik", "Jonas", "Christian", "Bent", "Ole", "Poul",
]
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
    "Poulsen", "Johansen", "Møller", "Mortensen", "Holm", "Lund", "Bach", "Dahl", "Kjær", "Skov",
    "Frandsen", "Østergaard", "Bækgaard", "Lauridsen",
]
# Citizens come from many backgrounds: the PDF font must print all of these.
INTERNATIONAL_NAMES = [
    ("Łukasz", "Kowalczyk"), ("Şebnem", "Yılmaz"), ("Ivana", "Petrović"), ("Mirosław", "Wójcik"),
    ("Ayşe", "Demir"), ("Tomáš", "Dvořák"), ("Aleksandra", "Ćosić"), ("Ahmad", "Haidari"),
    ("Fatima", "El-Amin"), ("Mohammed", "محمد"), ("Nguyễn", "Thị Lan"), ("Zeynep", "Çelik"),
]

# (town, postcode, latitude, longitude, streets). Regions group towns whose staff can cover each other.
REGIONS: list[list[tuple[str, str, float, float, list[str]]]] = [
    [
        ("Vejle", "7100", 55.7093, 9.5357, ["Dæmningen", "Havnegade", "Vestergade", "Boulevarden"]),
        ("Horsens", "8700", 55.8607, 9.8503, ["Søndergade", "Allégade", "Strandpromenaden"]),
        ("Kolding", "6000", 55.4904, 9.4722, ["Jernbanegade", "Låsbybanke", "Fredericiagade"]),
        ("Fredericia", "7000", 55.5657, 9.7526, ["Prinsessegade", "Vendersgade", "Danmarksgade"]),
    ],
    [
        ("Aarhus", "8000", 56.1567, 10.2108, ["Søren Frichs Vej", "Ryesgade", "Frederiksgade", "Åboulevarden"]),
        ("Silkeborg", "8600", 56.1697, 9.5451, ["Vestergade", "Drewsensvej", "Papirfabrikken"]),
        ("Randers", "8900", 56.4607, 10.0364, ["Brødregade", "Tørvebryggen", "Vestergade"]),
        ("Skanderborg", "8660", 56.0374, 9.9305, ["Adelgade", "Banegårdsgade", "Vestergade"]),
    ],
    [
        ("Odense", "5000", 55.4038, 10.4024, ["Vestergade", "Kongensgade", "Overgade", "Thomas B. Thriges Gade"]),
        ("Svendborg", "5700", 55.0598, 10.6068, ["Gerritsgade", "Møllergade", "Jessens Mole"]),
        ("Middelfart", "5500", 55.5058, 9.7302, ["Algade", "Havnegade", "Østergade"]),
    ],
    [
        ("Aalborg", "9000", 57.0488, 9.9217, ["Boulevarden", "Vesterbro", "Nytorv", "Østerågade"]),
        ("Hjørring", "9800", 57.4642, 9.9823, ["Østergade", "Springvandspladsen", "Frederikshavnsvej"]),
        ("Frederikshavn", "9900", 57.4407, 10.5366, ["Danmarksgade", "Havnegade", "Søndergade"]),
    ],
    [
        ("København", "2200", 55.6761, 12.5683, ["Nørrebrogade", "Jagtvej", "Blegdamsvej", "Fælledvej"]),
        ("Roskilde", "4000", 55.6415, 12.0803, ["Algade", "Skomagergade", "Køgevej"]),
        ("Hillerød", "3400", 55.9267, 12.3109, ["Slotsgade", "Helsingørsgade", "Milnersvej"]),
        ("Køge", "4600", 55.4580, 12.1821, ["Torvet", "Nørregade", "Vestergade"]),
    ],
    [
        ("Næstved", "4700", 55.2299, 11.7609, ["Axeltorv", "Ringstedgade", "Ramsherred"]),
        ("Holbæk", "4300", 55.7167, 11.7167, ["Ahlgade", "Smedelundsgade", "Jernbanevej"]),
        ("Slagelse", "4200", 55.4028, 11.3546, ["Fisketorvet", "Jernbanegade", "Nytorv"]),
    ],
    [
        ("Herning", "7400", 56.1393, 8.9738, ["Bredgade", "Dalgasgade", "Torvet"]),
        ("Holstebro", "7500", 56.3601, 8.6161, ["Nørregade", "Østergade", "Lægårdvej"]),
        ("Viborg", "8800", 56.4532, 9.4020, ["Sct. Mathias Gade", "Gravene", "Vestergade"]),
        ("Skive", "7800", 56.5667, 9.0333, ["Adelgade", "Frederiksgade", "Østerbro"]),
    ],
    [
        ("Esbjerg", "6700", 55.4765, 8.4594, ["Kongensgade", "Torvegade", "Skolegade"]),
        ("Sønderborg", "6400", 54.9138, 9.7922, ["Perlegade", "Rådhustorvet", "Jernbanegade"]),
        ("Haderslev", "6100", 55.2490, 9.4875, ["Storegade", "Nørregade", "Bispegade"]),
        ("Aabenraa", "6200", 55.0443, 9.4174, ["Storegade", "H.P. Hanssens Gade", "Nygade"]),
    ],
]

COMPANY_KINDS = [
    "Tømrerfirma", "VVS", "Malerfirma", "Auto", "Bageri", "Blomster", "Rengøring", "Lager og Logistik",
    "Plejecenter", "Børnehave", "Supermarked", "Byggemarked", "Trykkeri", "Kantine", "Genbrugsbutik",
    "Gartneri", "Cykelværksted", "Revision", "El-service", "Vognmand",
]
JOBCENTRES_SUFFIX = "Jobcenter"
