"""Activities (NAF rév. 2), legal forms, headcount bands and company names.

Codes are INSEE's: NAF rév. 2 sous-classes (``62.01Z``), catégories
juridiques de niveau III (``5499`` SARL) and tranches d'effectif salarié
(``NN``, ``00`` … ``53``) as used in the SIRENE directory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Activity:
    """One NAF sous-classe, with the words that name such a business."""

    code: str
    label: str
    weight: int
    group: str
    nouns: tuple[str, ...]
    #: Shops and restaurants usually trade under an enseigne.
    retail: bool = False


A = Activity
ACTIVITIES: tuple[Activity, ...] = (
    A("01.11Z", "Culture de céréales (à l'exception du riz), de légumineuses et de graines "
      "oléagineuses", 3, "agriculture", ("Earl", "Gaec", "Exploitation agricole")),
    A("01.21Z", "Culture de la vigne", 2, "agriculture", ("Domaine", "Vignobles", "Château")),
    A("10.13B", "Charcuterie", 2, "alimentaire", ("Charcuterie", "Salaisons"), retail=True),
    A("10.71C", "Boulangerie et boulangerie-pâtisserie", 6, "alimentaire",
      ("Boulangerie", "Boulangerie-Pâtisserie", "Fournil"), retail=True),
    A("10.71D", "Pâtisserie", 2, "alimentaire", ("Pâtisserie",), retail=True),
    A("11.02B", "Vinification", 1, "agriculture", ("Cave", "Vignobles", "Maison")),
    A("16.23Z", "Fabrication de charpentes et d'autres menuiseries", 2, "batiment",
      ("Charpente", "Menuiserie", "Bois")),
    A("18.12Z", "Autre imprimerie (labeur)", 2, "industrie", ("Imprimerie", "Arts graphiques")),
    A("25.62B", "Mécanique industrielle", 2, "industrie", ("Mécanique", "Usinage", "Précision")),
    A("28.29B", "Fabrication d'autres machines d'usage général", 1, "industrie",
      ("Machines", "Équipements", "Industries")),
    A("33.12Z", "Réparation de machines et équipements mécaniques", 2, "industrie",
      ("Maintenance", "Services industriels")),
    A("41.20A", "Construction de maisons individuelles", 3, "batiment",
      ("Maisons", "Constructions", "Habitat")),
    A("41.20B", "Construction d'autres bâtiments", 2, "batiment", ("Construction", "Bâtiment")),
    A("43.21A", "Travaux d'installation électrique dans tous locaux", 6, "batiment",
      ("Électricité", "Elec", "Électricité Générale")),
    A("43.22A", "Travaux d'installation d'eau et de gaz en tous locaux", 5, "batiment",
      ("Plomberie", "Plomberie Sanitaire", "Plomberie Chauffage")),
    A("43.22B", "Travaux d'installation d'équipements thermiques et de climatisation", 3,
      "batiment", ("Chauffage", "Climatisation", "Thermique", "Énergies")),
    A("43.32A", "Travaux de menuiserie bois et PVC", 3, "batiment",
      ("Menuiserie", "Fermetures", "Agencement")),
    A("43.34Z", "Travaux de peinture et vitrerie", 3, "batiment",
      ("Peinture", "Décoration", "Peinture et Décoration")),
    A("43.91B", "Travaux de couverture par éléments", 2, "batiment",
      ("Couverture", "Toitures", "Zinguerie")),
    A("43.99C", "Travaux de maçonnerie générale et gros œuvre de bâtiment", 6, "batiment",
      ("Maçonnerie", "Bâtiment", "Rénovation")),
    A("45.11Z", "Commerce de voitures et de véhicules automobiles légers", 2, "automobile",
      ("Automobiles", "Garage"), retail=True),
    A("45.20A", "Entretien et réparation de véhicules automobiles légers", 5, "automobile",
      ("Garage", "Carrosserie", "Auto Services"), retail=True),
    A("46.18Z", "Intermédiaires spécialisés dans le commerce d'autres produits spécifiques", 2,
      "commerce", ("Distribution", "Diffusion", "Négoce")),
    A("46.51Z", "Commerce de gros (commerce interentreprises) d'ordinateurs, d'équipements "
      "informatiques périphériques et de logiciels", 2, "informatique",
      ("Informatique", "Micro", "Bureautique")),
    A("46.69B", "Commerce de gros (commerce interentreprises) de fournitures et équipements "
      "industriels divers", 2, "commerce", ("Fournitures", "Équipements", "Industrie")),
    A("46.73A", "Commerce de gros (commerce interentreprises) de bois et de matériaux de "
      "construction", 2, "commerce", ("Matériaux", "Négoce", "Bois et Matériaux")),
    A("47.11D", "Supermarchés", 1, "commerce", ("Supermarché", "Market"), retail=True),
    A("47.24Z", "Commerce de détail de pain, pâtisserie et confiserie en magasin spécialisé", 1,
      "alimentaire", ("Confiserie", "Chocolaterie"), retail=True),
    A("47.52A", "Commerce de détail de quincaillerie, peintures et verres en petites surfaces "
      "(moins de 400 m²)", 2, "commerce", ("Quincaillerie", "Droguerie"), retail=True),
    A("47.71Z", "Commerce de détail d'habillement en magasin spécialisé", 4, "commerce",
      ("Boutique", "Mode", "Prêt-à-porter"), retail=True),
    A("47.73Z", "Commerce de détail de produits pharmaceutiques en magasin spécialisé", 2,
      "sante", ("Pharmacie",), retail=True),
    A("47.76Z", "Commerce de détail de fleurs, plantes, graines, engrais, animaux de compagnie "
      "et aliments pour ces animaux", 2, "commerce", ("Fleurs", "Jardinerie"), retail=True),
    A("47.91B", "Vente à distance sur catalogue spécialisé", 2, "commerce",
      ("Diffusion", "Direct", "Boutique en ligne")),
    A("49.32Z", "Transports de voyageurs par taxis", 2, "transport", ("Taxi", "Taxis")),
    A("49.41A", "Transports routiers de fret interurbains", 3, "transport",
      ("Transports", "Logistique", "Fret")),
    A("49.41B", "Transports routiers de fret de proximité", 2, "transport",
      ("Transports", "Livraisons", "Express")),
    A("52.10B", "Entreposage et stockage non frigorifique", 1, "transport",
      ("Entrepôts", "Stockage", "Logistique")),
    A("55.10Z", "Hôtels et hébergement similaire", 2, "restauration", ("Hôtel",), retail=True),
    A("56.10A", "Restauration traditionnelle", 7, "restauration",
      ("Restaurant", "Brasserie", "Auberge", "Bistrot"), retail=True),
    A("56.10C", "Restauration de type rapide", 3, "restauration",
      ("Snack", "Pizzeria", "Crêperie"), retail=True),
    A("56.30Z", "Débits de boissons", 2, "restauration", ("Bar", "Café"), retail=True),
    A("58.29C", "Édition de logiciels applicatifs", 2, "informatique",
      ("Software", "Logiciels", "Solutions")),
    A("62.01Z", "Programmation informatique", 5, "informatique",
      ("Informatique", "Digital", "Développement", "Web")),
    A("62.02A", "Conseil en systèmes et logiciels informatiques", 4, "informatique",
      ("Conseil", "Consulting", "Systèmes")),
    A("62.03Z", "Gestion d'installations informatiques", 1, "informatique",
      ("Infogérance", "Réseaux", "Services")),
    A("63.11Z", "Traitement de données, hébergement et activités connexes", 1, "informatique",
      ("Data", "Hébergement", "Cloud")),
    A("68.10Z", "Activités des marchands de biens immobiliers", 1, "immobilier",
      ("Patrimoine", "Immobilier")),
    A("68.20B", "Location de terrains et d'autres biens immobiliers", 4, "immobilier",
      ("Immobilière", "Patrimoine")),
    A("68.31Z", "Agences immobilières", 4, "immobilier",
      ("Immobilier", "Agence", "Transactions"), retail=True),
    A("69.10Z", "Activités juridiques", 2, "juridique", ("Cabinet", "Office notarial")),
    A("69.20Z", "Activités comptables", 3, "conseil",
      ("Expertise Comptable", "Cabinet", "Audit et Conseil")),
    A("70.22Z", "Conseil pour les affaires et autres conseils de gestion", 6, "conseil",
      ("Conseil", "Consulting", "Management", "Stratégie")),
    A("71.11Z", "Activités d'architecture", 2, "conseil", ("Architecture", "Atelier")),
    A("71.12B", "Ingénierie, études techniques", 3, "conseil",
      ("Ingénierie", "Études", "Bureau d'études")),
    A("73.11Z", "Activités des agences de publicité", 2, "conseil",
      ("Communication", "Publicité", "Création")),
    A("74.10Z", "Activités spécialisées de design", 1, "conseil", ("Design", "Studio")),
    A("78.20Z", "Activités des agences de travail temporaire", 1, "services",
      ("Intérim", "Emploi", "Recrutement")),
    A("81.21Z", "Nettoyage courant des bâtiments", 3, "services",
      ("Nettoyage", "Propreté", "Services")),
    A("81.30Z", "Services d'aménagement paysager", 3, "services",
      ("Paysages", "Jardins", "Espaces Verts")),
    A("82.11Z", "Services administratifs combinés de bureau", 1, "services",
      ("Secrétariat", "Services", "Gestion")),
    A("85.59A", "Formation continue d'adultes", 3, "services",
      ("Formation", "Formations", "Compétences")),
    A("86.21Z", "Activité des médecins généralistes", 2, "sante", ("Cabinet médical",)),
    A("86.23Z", "Pratique dentaire", 1, "sante", ("Cabinet dentaire",)),
    A("86.90E", "Activités des professionnels de la rééducation, de l'appareillage et des "
      "pédicures-podologues", 2, "sante", ("Cabinet de kinésithérapie", "Kiné")),
    A("88.10A", "Aide à domicile", 2, "services", ("Services à domicile", "Aide à domicile")),
    A("93.13Z", "Activités des centres de culture physique", 1, "services",
      ("Fitness", "Forme", "Sport"), retail=True),
    A("96.02A", "Coiffure", 5, "beaute", ("Coiffure", "Salon de coiffure"), retail=True),
    A("96.02B", "Soins de beauté", 2, "beaute", ("Institut de beauté", "Esthétique"), retail=True),
)

#: Public bodies and associations (the "organismes" base).
ORGANISME_ACTIVITIES: tuple[Activity, ...] = (
    A("84.11Z", "Administration publique générale", 5, "public",
      ("Mairie", "Mairie", "Communauté de communes")),
    A("94.11Z", "Activités des organisations patronales et consulaires", 2, "public",
      ("Chambre de commerce et d'industrie", "Chambre de métiers et de l'artisanat")),
    A("94.99Z", "Autres organisations fonctionnant par adhésion volontaire", 5, "public",
      ("Association",)),
)

#: Catégories juridiques (INSEE, niveau III): code, short name, weight for companies.
LEGAL_FORMS: dict[str, tuple[str, int]] = {
    "5499": ("SARL", 30),
    "5710": ("SAS", 22),
    "5720": ("SASU", 14),
    "5498": ("EURL", 8),
    "5599": ("SA", 3),
    "5202": ("SNC", 2),
    "1000": ("", 11),  # entrepreneur individuel: the name is the person's
    "5385": ("SELARL", 0),
    "6540": ("SCI", 0),
    "6533": ("GAEC", 0),
    "6598": ("EARL", 0),
    "7210": ("", 0),  # commune
    "7346": ("", 0),  # communauté de communes
    "7381": ("", 0),  # organisme consulaire
    "9220": ("", 0),  # association déclarée
}

#: Tranches d'effectif salarié (SIRENE) and their weight among small businesses.
HEADCOUNT_BANDS: tuple[tuple[str, int], ...] = (
    ("NN", 10), ("00", 18), ("01", 20), ("02", 16), ("03", 11), ("11", 10), ("12", 7),
    ("21", 3), ("22", 2), ("31", 1), ("32", 1), ("41", 1), ("42", 1), ("51", 1), ("52", 1),
    ("53", 1),
)

#: Invented brand names: a root, then a suffix ("Batisud", "Infotec").
BRAND_ROOTS: dict[str, tuple[str, ...]] = {
    "batiment": ("Bati", "Constru", "Renov", "Habitat ", "Thermi", "Elec"),
    "informatique": ("Info", "Data", "Net", "Logi", "Numéri", "Cyber"),
    "conseil": ("Straté", "Pro", "Cap ", "Ac", "Evo", "Synergie "),
    "transport": ("Trans", "Logi", "Fret", "Route "),
    "industrie": ("Méca", "Techni", "Indus", "Hydro", "Métal"),
    "commerce": ("Distri", "Comptoir ", "Négo", "Market "),
    "services": ("Servi", "Multi", "Net ", "Eco"),
}
BRAND_SUFFIXES: tuple[str, ...] = (
    "tec", "sud", "nord", "ouest", "est", "plus", "concept", "system", "pro", "expert",
    "com", "logic", "services", "France", "Atlantique", "Alpes", "Provence", "Centre",
)
PLACE_WORDS: tuple[str, ...] = (
    "du Centre", "du Marché", "du Port", "du Lac", "du Parc", "du Pont", "du Château",
    "du Moulin", "de la Gare", "de la Poste", "de la Mairie", "de la Place", "de la Vallée",
    "de la Forêt", "des Halles", "des Arts", "des Remparts", "des Tilleuls", "de l'Église",
    "de l'Océan", "des Quatre Vents",
)
SCI_NAMES: tuple[str, ...] = (
    "Les Tilleuls", "Les Peupliers", "du Moulin", "Les Chênes", "La Colline", "Le Clos",
    "Les Érables", "Horizon", "Les Acacias", "du Parc", "Saint-Martin", "Les Lilas",
)


def pick_weighted(rng: random.Random, items: tuple[tuple[str, int], ...]) -> str:
    """One key of ``(key, weight)`` pairs, drawn by weight."""
    return rng.choices([k for k, _ in items], [w for _, w in items])[0]


def legal_form_for(rng: random.Random, activity: Activity) -> str:
    """A catégorie juridique that fits the activity (SCI for rentals, SELARL for lawyers…)."""
    if activity.code == "68.20B":
        return "6540" if rng.random() < 0.85 else "5499"
    if activity.group == "agriculture" and activity.code.startswith("01"):
        return rng.choice(("6598", "6533", "1000"))
    if activity.group in ("juridique", "sante") and activity.code != "47.73Z":
        return rng.choice(("5385", "1000", "1000"))
    forms = tuple((k, w) for k, (_, w) in LEGAL_FORMS.items() if w)
    return pick_weighted(rng, forms)


def organisme_form(activity: Activity, noun: str) -> str:
    """Catégorie juridique of a public body or association."""
    if activity.code == "94.11Z":
        return "7381"
    if activity.code == "94.99Z":
        return "9220"
    return "7210" if noun == "Mairie" else "7346"


def company_name(rng: random.Random, activity: Activity, form: str, surname: str,
                 first_name: str) -> str:
    """A plausible raison sociale ("Plomberie Martin SARL", "Batisud", "SCI Les Tilleuls")."""
    short = LEGAL_FORMS.get(form, ("", 0))[0]
    noun = rng.choice(activity.nouns)
    if form == "1000":
        if rng.random() < 0.5:
            return f"{surname.upper()} {first_name}"
        return f"{first_name} {surname}"
    if form == "6540":
        base = rng.choice(SCI_NAMES) if rng.random() < 0.6 else surname.upper()
        return f"SCI {base}"
    if form in ("6598", "6533"):
        return f"{short} {rng.choice(('du', 'des'))} {rng.choice(SCI_NAMES).split()[-1]}"
    roll = rng.random()
    if roll < 0.28:
        base = f"{noun} {surname}"
    elif roll < 0.48:
        base = f"{surname} {noun}"
    elif roll < 0.60:
        base = f"{noun} {rng.choice(PLACE_WORDS)}"
    elif roll < 0.70:
        base = rng.choice((f"{surname} et Fils", f"{surname} Frères", f"Établissements {surname}",
                           f"Ets {surname}", f"{surname} & Associés"))
    elif roll < 0.85 and activity.group in BRAND_ROOTS:
        root = rng.choice(BRAND_ROOTS[activity.group])
        suffix = rng.choice(BRAND_SUFFIXES)
        base = root + (suffix if root.endswith(" ") else suffix.lower())
    else:
        base = rng.choice((f"Groupe {surname}", f"{noun} {surname} & Cie",
                           f"{surname} {rng.choice(('Services', 'Solutions', 'Distribution'))}"))
    if short and rng.random() < 0.35:
        return f"{base} {short}" if rng.random() < 0.7 else f"{short} {base}"
    return base


def enseigne(rng: random.Random, activity: Activity, first_name: str) -> str | None:
    """A trade name for shops and restaurants, sometimes for others."""
    if not activity.retail:
        return None if rng.random() < 0.96 else rng.choice(activity.nouns) + " " + first_name
    if rng.random() < 0.3:
        return None
    noun = activity.nouns[0]
    choices = (
        f"Le {rng.choice(('Petit', 'Grand', 'Bon', 'Vieux'))} {noun}",
        f"{noun} {rng.choice(PLACE_WORDS)}",
        f"Chez {first_name}",
        f"L'Atelier de {first_name}",
        f"Au {rng.choice(('Bon Goût', 'Coin', 'Rendez-vous', 'Comptoir', 'Fil du Temps'))}",
        f"Les Délices de {first_name}",
    )
    return rng.choice(choices)


def organisme_name(rng: random.Random, noun: str, commune: str) -> str:
    """A public body or association named after its commune."""
    if noun == "Mairie":
        return f"Mairie de {commune}"
    if noun.startswith("Chambre"):
        return f"{noun} de {commune}"
    if noun == "Association":
        kind = rng.choice(("Comité des fêtes de", "Office de tourisme de", "Club sportif de",
                           "Association des commerçants de", "Amicale des anciens de"))
        return f"{kind} {commune}"
    return f"Communauté de communes de {commune}"
