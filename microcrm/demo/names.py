"""French given names, surnames and job titles for demo persons.

Lists are hand-picked from the most frequent names in France (INSEE fichier
des prénoms, most common surnames) across generations, so that a list of
contacts looks like a real customer base, accents and particles included.
"""

from __future__ import annotations

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Christine", "Sandrine",
    "Valérie", "Véronique", "Sophie", "Stéphanie", "Céline", "Anne", "Françoise",
    "Martine", "Laurence", "Caroline", "Julie", "Aurélie", "Émilie", "Camille", "Claire",
    "Hélène", "Élodie", "Virginie", "Karine", "Patricia", "Florence", "Audrey", "Laure",
    "Mélanie", "Marion", "Pauline", "Charlotte", "Léa", "Manon", "Chloé", "Sarah", "Laura",
    "Anaïs", "Agnès", "Brigitte", "Corinne", "Delphine", "Éléonore", "Béatrice", "Mathilde",
    "Juliette", "Inès", "Noémie", "Océane", "Justine", "Margaux", "Élise", "Lucie", "Alice",
    "Jeanne", "Gaëlle", "Annick", "Maëlle", "Chantal", "Dominique", "Geneviève", "Josiane",
    "Emma", "Zoé", "Clémence", "Adèle",
)

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre",
    "Christian", "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Pascal", "Daniel",
    "Sébastien", "Julien", "Thierry", "Olivier", "Bernard", "Thomas", "Alexandre",
    "Gérard", "Didier", "Dominique", "Vincent", "François", "Bruno", "Guillaume",
    "Jérôme", "Jacques", "Marc", "Maxime", "Romain", "Yves", "Franck", "Anthony",
    "Jean-Pierre", "Jean-Luc", "Jean-François", "Fabrice", "Cédric", "Antoine", "Benoît",
    "Mathieu", "Hervé", "Gilles", "Arnaud", "Raphaël", "Lucas", "Hugo", "Louis", "Théo",
    "Léo", "Gabriel", "Arthur", "Clément", "Florian", "Kévin", "Loïc", "Gaëtan", "Yannick",
    "Régis", "Serge", "René", "Joël", "Noël",
)

LAST_NAMES: tuple[str, ...] = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David",
    "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
    "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
    "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël",
    "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
    "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre",
    "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier",
    "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez",
    "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty",
    "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
    "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux",
    "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier",
    "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet",
    "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet",
    "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin",
    "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud",
    "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert",
    "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "N'Diaye", "Nguyen", "Benali",
    "Kerjean", "Le Bihan", "Oberlin", "Etcheverry", "Santoni", "Ducasse", "Delacroix",
)

#: (masculine, feminine) job titles of contacts; the first group are executives.
EXECUTIVE_ROLES: dict[str, tuple[str, str]] = {
    "gerant": ("Gérant", "Gérante"),
    "president": ("Président", "Présidente"),
    "pdg": ("Président-directeur général", "Présidente-directrice générale"),
    "dg": ("Directeur général", "Directrice générale"),
    "exploitant": ("Chef d'entreprise", "Cheffe d'entreprise"),
    "associe": ("Associé", "Associée"),
    "maire": ("Maire", "Maire"),
    "dgs": ("Directeur général des services", "Directrice générale des services"),
    "president_asso": ("Président", "Présidente"),
    "directeur": ("Directeur", "Directrice"),
}

OTHER_ROLES: tuple[tuple[str, str], ...] = (
    ("Directeur commercial", "Directrice commerciale"),
    ("Comptable", "Comptable"),
    ("Responsable administratif et financier", "Responsable administrative et financière"),
    ("Assistant de direction", "Assistante de direction"),
    ("Responsable des achats", "Responsable des achats"),
    ("Acheteur", "Acheteuse"),
    ("Chargé d'affaires", "Chargée d'affaires"),
    ("Responsable technique", "Responsable technique"),
    ("Conducteur de travaux", "Conductrice de travaux"),
    ("Secrétaire", "Secrétaire"),
    ("Responsable des ressources humaines", "Responsable des ressources humaines"),
    ("Office manager", "Office manager"),
    ("Directeur administratif et financier", "Directrice administrative et financière"),
    ("Responsable informatique", "Responsable informatique"),
    ("Chef de projet", "Cheffe de projet"),
    ("Responsable logistique", "Responsable logistique"),
    ("Responsable marketing", "Responsable marketing"),
    ("Technicien", "Technicienne"),
    ("Commercial", "Commerciale"),
    ("Responsable d'agence", "Responsable d'agence"),
)

#: Roles of the CRM owner's own staff (the "personnel" base).
STAFF_ROLES: tuple[tuple[str, str], ...] = (
    ("Commercial", "Commerciale"),
    ("Assistant commercial", "Assistante commerciale"),
    ("Comptable", "Comptable"),
    ("Technicien", "Technicienne"),
    ("Responsable des ventes", "Responsable des ventes"),
    ("Gérant", "Gérante"),
)

#: Domains of private e-mail addresses (particuliers), by rough market share.
PRIVATE_MAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 40), ("orange.fr", 18), ("wanadoo.fr", 6), ("free.fr", 10),
    ("sfr.fr", 6), ("laposte.net", 6), ("hotmail.fr", 8), ("yahoo.fr", 4), ("outlook.fr", 2),
)
