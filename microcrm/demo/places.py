"""Street names, address complements, city weights, sectors and phone zones.

Streets are formatted, never validated (docs/address-standard.md: no Hexavia), so
names only need to look French and exercise the normaliser: repetition
indexes, long names that NF Z10-011 must abbreviate, BP/CS, ZI/ZA, résidences
and lieux-dits.
"""

from __future__ import annotations

STREET_TYPES: tuple[tuple[str, int], ...] = (
    ("rue", 52), ("avenue", 12), ("boulevard", 6), ("place", 5), ("chemin", 5),
    ("impasse", 4), ("allée", 4), ("route", 5), ("quai", 1), ("cours", 1), ("square", 1),
    ("faubourg", 1), ("passage", 1), ("av.", 1), ("bd", 1),
)

STREET_NAMES: tuple[str, ...] = (
    "Victor Hugo", "de la République", "Jean Jaurès", "du Général de Gaulle", "Pasteur",
    "de la Gare", "de l'Église", "des Écoles", "du Moulin", "Gambetta", "Jean Moulin",
    "Anatole France", "du 8 Mai 1945", "de Verdun", "Émile Zola", "du Maréchal Foch",
    "des Lilas", "de Paris", "du Stade", "des Tilleuls", "du Château", "de la Mairie",
    "Nationale", "Principale", "de la Paix", "du Commerce", "des Acacias", "de la Liberté",
    "Carnot", "Voltaire", "Jules Ferry", "Louis Pasteur", "Georges Clemenceau",
    "Charles de Gaulle", "du Maréchal Leclerc", "Saint-Martin", "Saint-Pierre",
    "de la Fontaine", "du Port", "des Vignes", "des Peupliers", "Pierre et Marie Curie",
    "Jean-Jacques Rousseau", "de Bretagne", "de Lattre de Tassigny", "des Fleurs",
    "du Pont", "de la Croix", "du Four", "des Jardins", "de Strasbourg", "de Lyon",
    "Aristide Briand", "Paul Bert", "Alsace-Lorraine", "du Docteur Schweitzer",
    "du Maréchal de Lattre de Tassigny", "du Président Salvador Allende",
    "du Général Leclerc de Hauteclocque", "Antoine de Saint-Exupéry", "des Frères Lumière",
    "du 11 Novembre 1918", "de la Résistance", "des Marronniers", "du Lavoir", "des Prés",
    "Saint-Exupéry", "Henri Barbusse", "Gabriel Péri", "Maurice Ravel", "Claude Debussy",
    "Edmond Rostand", "de l'Industrie", "de l'Artisanat", "des Entrepreneurs", "Blaise Pascal",
    "Denis Papin", "Ampère", "Marcel Pagnol", "Colbert", "Lafayette", "Notre-Dame",
    "Sainte-Catherine", "du Onze Novembre", "de la Plage", "des Mimosas", "des Pins",
    "Jeanne d'Arc", "de la Forêt", "Parmentier", "de Belleville",
)

#: Complements of companies, classified by the normaliser on L2 or L3 (R7).
COMPANY_COMPLEMENTS: tuple[str, ...] = (
    "ZI des Paluds", "ZA du Moulin", "ZAC de la Croix Blanche", "Zone industrielle Nord",
    "Zone artisanale des Prés", "Zone d'activités de la Gare", "Bâtiment B", "Bât. C",
    "Immeuble Le Central", "Immeuble Horizon", "Centre commercial Les Portes du Sud",
    "Tour Europa", "Entrée 2", "Service comptabilité", "Service achats", "2e étage",
    "Résidence Le Forum", "ZI Les Milles", "ZA Les Landes", "Bâtiment A Entrée 3",
)

#: Complements of private persons.
PERSON_COMPLEMENTS: tuple[str, ...] = (
    "Appartement 12", "Appt 4", "Bâtiment C", "Résidence Les Pins", "Résidence du Parc",
    "Rés. Les Jardins", "Escalier B", "3e étage", "Bât A Esc 2", "Chez M. et Mme Durand",
    "Appartement 204", "Résidence Les Hauts de Seine", "Entrée B", "Porte 5",
)

LIEUX_DITS: tuple[str, ...] = (
    "Les Granges", "La Croix Blanche", "Le Bourg", "Le Moulin Neuf", "La Métairie",
    "Les Vignes", "Le Haut Chemin", "La Borde", "Les Écarts", "Le Plessis", "La Grange",
    "Kerouel", "Le Mas", "La Bergerie", "Les Rivières",
)

#: Population (thousands) of the largest cities, by cleaned libellé d'acheminement;
#: it weights where demo organisations are (INSEE populations légales, rounded).
BIG_CITIES: dict[str, int] = {
    "PARIS": 2100, "MARSEILLE": 870, "LYON": 520, "TOULOUSE": 500, "NICE": 340,
    "NANTES": 320, "MONTPELLIER": 300, "STRASBOURG": 290, "BORDEAUX": 260, "LILLE": 235,
    "RENNES": 222, "TOULON": 180, "REIMS": 180, "LE HAVRE": 170, "ST ETIENNE": 173,
    "DIJON": 160, "GRENOBLE": 158, "ANGERS": 157, "VILLEURBANNE": 155, "NIMES": 148,
    "CLERMONT FERRAND": 147, "AIX EN PROVENCE": 145, "LE MANS": 145, "BREST": 140,
    "TOURS": 137, "AMIENS": 134, "LIMOGES": 130, "ANNECY": 130, "PERPIGNAN": 120,
    "BOULOGNE BILLANCOURT": 120, "METZ": 118, "BESANCON": 117, "ORLEANS": 116,
    "ROUEN": 114, "ARGENTEUIL": 110, "MULHOUSE": 108, "MONTREUIL": 110, "CAEN": 106,
    "NANCY": 104, "TOURCOING": 99, "ROUBAIX": 99, "NANTERRE": 96, "VITRY SUR SEINE": 95,
    "AVIGNON": 91, "CRETEIL": 92, "POITIERS": 89, "DUNKERQUE": 87, "ASNIERES SUR SEINE": 87,
    "COURBEVOIE": 82, "VERSAILLES": 85, "COLOMBES": 86, "PAU": 77, "LA ROCHELLE": 77,
    "CALAIS": 67, "CANNES": 74, "ANTIBES": 73, "BEZIERS": 78, "COLMAR": 67, "BOURGES": 64,
    "QUIMPER": 63, "VALENCE": 64, "TROYES": 61, "CHAMBERY": 60, "NIORT": 59, "LORIENT": 57,
    "VANNES": 54, "ST NAZAIRE": 71, "ST MALO": 47, "LAVAL": 49,
    "AJACCIO": 73, "BASTIA": 48, "BAYONNE": 52, "ANGOULEME": 42, "CHARTRES": 38,
    "BLOIS": 46, "EVREUX": 47, "ARRAS": 41, "BELFORT": 46, "CHOLET": 54, "LA ROCHE SUR YON": 55,
    "ST DENIS": 150, "FORT DE FRANCE": 76, "CAYENNE": 64, "ALBI": 49, "CARCASSONNE": 46,
    "AUXERRE": 34, "CHATEAUROUX": 43, "MONTAUBAN": 61, "AGEN": 32, "PERIGUEUX": 30,
    "BRIVE LA GAILLARDE": 46, "TARBES": 42, "MONT DE MARSAN": 30, "NEVERS": 33,
    "MACON": 34, "CHALON SUR SAONE": 45, "EPINAL": 32, "CHARLEVILLE MEZIERES": 46,
    "CHALONS EN CHAMPAGNE": 44, "ST QUENTIN": 53, "BEAUVAIS": 57,
    "COMPIEGNE": 40, "BOULOGNE SUR MER": 40, "CHERBOURG EN COTENTIN": 78, "ALENCON": 26,
    "ST BRIEUC": 44, "LE PUY EN VELAY": 19, "AURILLAC": 26, "RODEZ": 25, "CAHORS": 19,
    "GAP": 41, "DIGNE LES BAINS": 16, "FREJUS": 55, "HYERES": 55, "ARLES": 51,
    "MARTIGUES": 49, "SETE": 44, "NARBONNE": 55, "VALENCIENNES": 43, "DOUAI": 39,
    "LENS": 31, "THIONVILLE": 42, "HAGUENAU": 35, "BOURG EN BRESSE": 41, "VIENNE": 30,
    "ROANNE": 34, "VICHY": 25, "MONTLUCON": 34, "SAINTES": 25, "ROCHEFORT": 24,
    "CHATELLERAULT": 31, "LES SABLES D OLONNE": 45, "SAUMUR": 26, "VERNON": 24,
}
#: Baseline weight (thousands of inhabitants) of any other reference row; cities
#: count double, as businesses gather there more than people do.
BASE_ROW_WEIGHT = 1.5
CITY_FACTOR = 2.0

#: Sales sectors (name → départements, as users type them: Sector.departements).
SECTORS: tuple[tuple[str, str], ...] = (
    ("Île-de-France et outre-mer", "75 77 78 91 92 93 94 95 971 972 973 974 976"),
    ("Nord-Est", "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90"),
    ("Ouest", "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85"),
    ("Sud-Ouest", "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87"),
    ("Sud-Est", "01 03 04 05 06 07 11 13 15 2A 2B 26 30 34 38 42 43 48 63 66 69 73 74 83 84"),
)

#: Geographic zone of French landline numbers (ARCEP ZNE): 01 … 05 by département.
_PHONE_ZONES: dict[str, str] = {
    **dict.fromkeys("75 77 78 91 92 93 94 95".split(), "1"),
    **dict.fromkeys(
        "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85".split(), "2"
    ),
    **dict.fromkeys(
        "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90".split(), "3"
    ),
    **dict.fromkeys(
        "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87".split(), "5"
    ),
}
#: Overseas départements have their own country codes in E.164.
OVERSEAS_ZONES: dict[str, str] = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "976": "YT",
}


def departement_of(postcode: str) -> str:
    """Département of a postcode, as in Sector.departements ("35", "2A", "974")."""
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def phone_zone(postcode: str) -> str:
    """Landline zone for a postcode: "1" … "5", or an overseas region code ("RE")."""
    dep = departement_of(postcode)
    if dep in OVERSEAS_ZONES:
        return OVERSEAS_ZONES[dep]
    return _PHONE_ZONES.get(dep, "4")
