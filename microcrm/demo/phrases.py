"""French business vocabulary for demo documents: catalogue and sentence pools.

The demo company sells equipment and services to businesses; documents mix
client names, amounts, dates and product words so that full-text search on a
demo GED meets a realistic vocabulary. Slots in braces are filled by
:mod:`microcrm.demo.texts`.
"""

from __future__ import annotations

#: (designation, lowest unit price, highest unit price) in euros HT.
CATALOGUE: tuple[tuple[str, int, int], ...] = (
    ("Ordinateur portable 15 pouces, 16 Go, SSD 512 Go", 650, 1400),
    ("Poste de travail fixe, processeur 8 cœurs", 590, 1100),
    ("Écran 27 pouces QHD", 180, 390),
    ("Serveur NAS 4 baies avec disques 4 To", 700, 1600),
    ("Licence Microsoft 365 Business Standard (12 mois)", 120, 150),
    ("Antivirus professionnel, licence annuelle par poste", 25, 60),
    ("Sauvegarde externalisée 500 Go (abonnement annuel)", 240, 480),
    ("Routeur pare-feu nouvelle génération", 450, 1900),
    ("Commutateur réseau 24 ports administrable", 220, 650),
    ("Borne Wi-Fi 6 professionnelle", 140, 420),
    ("Onduleur 1500 VA", 190, 480),
    ("Installation et paramétrage sur site", 350, 1200),
    ("Migration des données et des messageries", 400, 2500),
    ("Standard téléphonique IP (jusqu'à 20 postes)", 900, 3200),
    ("Poste téléphonique IP avec écran couleur", 90, 260),
    ("Abonnement fibre professionnelle (mensuel)", 49, 129),
    ("Forfait mobile professionnel 100 Go (mensuel)", 15, 35),
    ("Smartphone professionnel reconditionné", 190, 520),
    ("Copieur multifonction couleur A3", 2900, 8900),
    ("Imprimante laser monochrome réseau", 180, 650),
    ("Contrat de maintenance copieur (coût à la page)", 300, 1500),
    ("Cartouche de toner noir haute capacité", 65, 180),
    ("Ramettes de papier A4 80 g (carton de 5)", 22, 38),
    ("Bureau droit 160 cm, piètement métal", 240, 690),
    ("Fauteuil ergonomique à mécanisme synchrone", 190, 780),
    ("Caisson mobile 3 tiroirs", 120, 290),
    ("Armoire haute à rideaux", 320, 890),
    ("Table de réunion 8 personnes", 480, 1800),
    ("Cloison acoustique amovible", 260, 940),
    ("Maintenance annuelle du parc informatique", 900, 6000),
    ("Intervention d'un technicien sur site (heure)", 65, 95),
    ("Frais de déplacement", 35, 120),
    ("Audit du système d'information", 1200, 4800),
    ("Formation bureautique (journée, 8 stagiaires maximum)", 690, 1400),
    ("Formation à la cybersécurité (demi-journée)", 450, 900),
    ("Assistance téléphonique, forfait 10 heures", 550, 900),
    ("Hébergement de site web et nom de domaine (annuel)", 120, 480),
    ("Création d'un site vitrine responsive", 1500, 6500),
    ("Référencement naturel (forfait mensuel)", 290, 990),
    ("Alarme intrusion sans fil avec télésurveillance", 890, 2600),
    ("Caméra de surveillance IP extérieure", 160, 540),
    ("Contrôle d'accès par badge (porte)", 780, 2200),
    ("Extincteur à eau pulvérisée 6 litres", 55, 110),
    ("Dalle LED 60 × 60 basse consommation", 28, 75),
    ("Borne de recharge pour véhicule électrique 7 kW", 990, 2400),
    ("Climatiseur réversible mural", 890, 2900),
    ("Fontaine à eau sur réseau (location mensuelle)", 29, 69),
    ("Destructeur de documents niveau P-4", 160, 690),
    ("Logiciel de gestion commerciale (licence)", 450, 2900),
    ("Logiciel de paie, module social (abonnement annuel)", 360, 1500),
    ("Tablette durcie pour techniciens itinérants", 390, 1200),
    ("Vidéoprojecteur laser pour salle de réunion", 790, 2400),
    ("Écran interactif 65 pouces", 1900, 4500),
)

NEEDS: tuple[str, ...] = (
    "le renouvellement de votre parc informatique",
    "l'équipement de vos nouveaux locaux de {city}",
    "la maintenance de vos équipements d'impression",
    "la sécurisation de votre réseau et de vos sauvegardes",
    "la mise en place d'une téléphonie IP",
    "l'aménagement de votre open space",
    "la formation de vos équipes aux outils bureautiques",
    "la refonte de votre site internet",
    "l'installation d'un système de vidéosurveillance",
    "le remplacement de votre copieur",
    "la modernisation de l'éclairage de vos ateliers",
    "l'équipement de vos techniciens itinérants",
)

DEVIS_INTROS: tuple[str, ...] = (
    "Suite à notre entretien du {prev_date}, nous avons le plaisir de vous adresser notre "
    "proposition pour {need}.",
    "Comme convenu lors de notre rendez-vous dans vos locaux de {city}, vous trouverez "
    "ci-dessous notre offre détaillée concernant {need}.",
    "Nous vous remercions de votre demande et vous prions de trouver ci-après notre devis "
    "pour {need}.",
    "En réponse à votre consultation du {prev_date}, voici notre meilleure proposition pour "
    "{need}.",
)

CONDITIONS: tuple[str, ...] = (
    "Validité de l'offre : {validity} jours à compter de sa date d'émission.",
    "Conditions de règlement : 30 jours fin de mois, par virement bancaire.",
    "Conditions de règlement : 45 jours date de facture.",
    "Un acompte de 30 % est demandé à la commande, le solde à la livraison.",
    "Délai de livraison : {weeks} semaines à réception du bon de commande signé.",
    "Garantie constructeur de 3 ans, pièces, main-d'œuvre et déplacement.",
    "L'installation, la configuration et la mise en service sont comprises.",
    "Les prix s'entendent hors taxes, port compris pour la France métropolitaine.",
    "Toute commande implique l'acceptation de nos conditions générales de vente.",
    "Le matériel reste notre propriété jusqu'au paiement intégral du prix.",
)

INVOICE_MENTIONS: tuple[str, ...] = (
    "En cas de retard de paiement, des pénalités égales à trois fois le taux d'intérêt légal "
    "seront appliquées, ainsi qu'une indemnité forfaitaire pour frais de recouvrement de "
    "40 euros (articles L441-10 et D441-5 du Code de commerce).",
    "Pas d'escompte pour paiement anticipé.",
    "Règlement par virement bancaire en rappelant le numéro de facture.",
    "TVA acquittée sur les débits.",
)

LETTER_SUBJECTS: tuple[str, ...] = (
    "Relance de paiement", "Proposition commerciale", "Confirmation de rendez-vous",
    "Invitation à notre journée portes ouvertes", "Évolution de nos tarifs",
    "Renouvellement de votre contrat de maintenance", "Remerciements",
    "Réclamation concernant la livraison", "Nouvelle offre de financement",
)

LETTER_PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "Relance de paiement": (
        "Sauf erreur de notre part, la facture {invoice} du {prev_date}, d'un montant de "
        "{amount} TTC, reste impayée à ce jour.",
        "Nous vous remercions de bien vouloir procéder à son règlement dans les meilleurs "
        "délais, ou de nous indiquer les raisons de ce retard.",
        "Si votre paiement a été effectué entre-temps, nous vous prions de ne pas tenir compte "
        "de ce courrier.",
    ),
    "Proposition commerciale": (
        "Dans le cadre de votre activité ({activity}), nous pensons que {need} pourrait vous "
        "faire gagner un temps précieux.",
        "Nos équipes interviennent déjà auprès de nombreuses entreprises de la région de "
        "{city} et vous proposent un diagnostic gratuit.",
        "Pour toute commande passée avant le {next_date}, la mise en service vous est offerte.",
    ),
    "Confirmation de rendez-vous": (
        "Nous avons le plaisir de vous confirmer notre rendez-vous du {next_date} à {hour}, "
        "dans vos locaux de {city}.",
        "Nous ferons le point sur {need} et vous présenterons nos dernières solutions.",
        "En cas d'empêchement, merci de prévenir {salesperson} au {phone}.",
    ),
    "Invitation à notre journée portes ouvertes": (
        "Nous avons le plaisir de vous convier à notre journée portes ouvertes, le {next_date} "
        "de 9 h à 18 h, dans notre agence.",
        "Au programme : démonstrations de copieurs multifonctions, de solutions de sauvegarde "
        "et de visioconférence, ateliers cybersécurité.",
        "Un cocktail clôturera la journée. Merci de confirmer votre présence par retour de "
        "courrier ou par e-mail.",
    ),
    "Évolution de nos tarifs": (
        "Nous vous informons qu'à compter du {next_date}, nos tarifs de maintenance évolueront "
        "de {percent} % afin de tenir compte de la hausse du coût des composants.",
        "Les contrats en cours conservent leurs conditions jusqu'à leur échéance.",
        "Votre interlocuteur habituel, {salesperson}, reste à votre disposition pour étudier "
        "avec vous les options les plus adaptées.",
    ),
    "Renouvellement de votre contrat de maintenance": (
        "Votre contrat de maintenance n° {contract} arrive à échéance le {next_date}.",
        "Sans instruction contraire de votre part, il sera reconduit pour une durée d'un an "
        "au tarif de {amount} HT.",
        "Nous vous proposons à cette occasion un audit gratuit de vos installations.",
    ),
    "Remerciements": (
        "Nous vous remercions pour la confiance que vous nous témoignez et pour votre commande "
        "du {prev_date}.",
        "L'installation est prévue le {next_date} ; notre technicien prendra contact avec vous "
        "la veille pour confirmer l'horaire.",
        "Nous restons à votre écoute pour tout complément d'information.",
    ),
    "Réclamation concernant la livraison": (
        "Nous accusons réception de votre courrier du {prev_date} concernant la livraison "
        "incomplète de votre commande {order}.",
        "Après vérification, il manquait effectivement {qty} articles ; ils vous seront livrés "
        "sans frais le {next_date}.",
        "Nous vous prions de bien vouloir nous excuser pour la gêne occasionnée.",
    ),
    "Nouvelle offre de financement": (
        "Vous pouvez désormais financer vos équipements en location évolutive sur 36, 48 ou "
        "60 mois, maintenance comprise.",
        "Pour un parc de {qty} postes, le loyer mensuel débute à {amount} HT.",
        "Cette formule préserve votre trésorerie et vous garantit un matériel toujours récent.",
    ),
}

CLOSINGS: tuple[str, ...] = (
    "Nous vous prions d'agréer, {civility}, l'expression de nos salutations distinguées.",
    "Veuillez agréer, {civility}, nos sincères salutations.",
    "Dans l'attente de votre retour, nous vous prions de croire, {civility}, à l'assurance de "
    "nos sentiments dévoués.",
)

MEETING_POINTS: tuple[str, ...] = (
    "Point sur le déploiement des postes de travail : {qty} postes livrés sur {qty2}, le solde "
    "est attendu pour le {next_date}.",
    "Le client signale des lenteurs sur le réseau du site de {city} ; un audit est planifié.",
    "Présentation de l'offre de sauvegarde externalisée ; le client souhaite un chiffrage.",
    "Budget prévisionnel de {amount} HT validé par la direction.",
    "Formation des utilisateurs à organiser en deux sessions avant la fin du trimestre.",
    "Renouvellement du copieur de l'accueil : devis à transmettre avant le {next_date}.",
    "Questions sur la conformité au RGPD des sauvegardes : documentation à fournir.",
    "Le contrat de maintenance actuel sera résilié chez le prestataire précédent.",
    "Prochaine réunion de suivi fixée au {next_date} à {hour}.",
    "Le client envisage l'ouverture d'une agence supplémentaire l'an prochain.",
)

NOTE_LINES: tuple[str, ...] = (
    "Client satisfait de la dernière intervention, à recontacter pour l'extension du contrat.",
    "Décideur : {contact}. Préfère être contacté le matin.",
    "Concurrent en place sur la téléphonie, contrat jusqu'en {year}.",
    "Demande un geste commercial sur les consommables.",
    "Parc actuel : {qty} postes, serveur de plus de cinq ans.",
    "Rencontré au salon professionnel de {city}.",
    "Délais de paiement longs, prévoir un acompte.",
    "Projet de déménagement des bureaux à l'étude.",
    "Intéressé par la location évolutive.",
)

EMAIL_BODIES: tuple[str, ...] = (
    "Je vous prie de trouver ci-joint notre proposition pour {need}. Je reste à votre "
    "disposition pour en discuter lors d'un prochain échange.",
    "Suite à notre conversation téléphonique de ce matin, je vous confirme l'intervention de "
    "notre technicien le {next_date} à {hour}.",
    "Pourriez-vous me transmettre le bon de commande signé afin que nous puissions lancer la "
    "préparation de votre matériel ?",
    "Nous avons bien reçu votre règlement de {amount}. Merci pour votre confiance.",
    "Comme convenu, voici le récapitulatif de notre réunion du {prev_date} et les prochaines "
    "étapes.",
    "Votre demande d'assistance n° {ticket} a bien été prise en compte ; elle sera traitée "
    "sous 4 heures ouvrées.",
)

#: About the demo company, opening or closing a proposal.
PRESENTATION: tuple[str, ...] = (
    "Fondée il y a plus de vingt ans, notre société accompagne {clients} entreprises et "
    "collectivités dans l'équipement et la maintenance de leurs bureaux.",
    "Nos techniciens certifiés interviennent sous 4 heures ouvrées dans toute la région de "
    "{city}, avec un stock de pièces détachées disponible en permanence.",
    "Notre agence dispose d'un showroom où vous pourrez tester les matériels proposés avant "
    "toute décision.",
    "Nous sommes partenaires agréés des principaux constructeurs et éditeurs, ce qui nous "
    "permet de vous garantir des prix et des délais compétitifs.",
    "Un interlocuteur unique, {salesperson}, suivra votre dossier de la commande à la mise en "
    "service, puis tout au long du contrat.",
)

#: Details of what is offered; {product} is an item of the catalogue.
DETAILS: tuple[str, ...] = (
    "La prestation comprend la livraison, l'installation et le paramétrage du matériel "
    "suivant : {product}.",
    "Pour le poste « {product} », nous avons retenu un modèle éprouvé, adapté à un usage "
    "intensif et garanti trois ans sur site.",
    "Le prix indiqué pour « {product} » inclut la reprise et le recyclage de votre ancien "
    "équipement, conformément à la réglementation DEEE.",
    "Nous prévoyons une journée d'intervention le {next_date}, en dehors de vos heures "
    "d'ouverture si vous le souhaitez, pour limiter la gêne de vos équipes.",
    "Une formation de prise en main d'une demi-journée est incluse pour {qty} utilisateurs.",
    "Le contrat de maintenance couvre les pièces, la main-d'œuvre et les déplacements, avec "
    "un délai d'intervention garanti de 8 heures ouvrées.",
    "Les données de vos anciens postes seront sauvegardées puis transférées, et les disques "
    "effacés selon la norme en vigueur ; un certificat d'effacement vous sera remis.",
    "Le montant total de {amount} HT peut être financé en location sur 48 mois, maintenance "
    "comprise.",
)

#: Further paragraphs of letters and e-mails.
FOLLOW_UPS: tuple[str, ...] = (
    "Nous vous rappelons que votre conseiller, {salesperson}, se tient à votre disposition au "
    "{phone} pour toute question.",
    "Vous trouverez également nos conditions générales de vente et notre catalogue {year} sur "
    "notre site internet.",
    "Nos équipes seront présentes au salon professionnel de {city} ; nous serons heureux de vous "
    "y accueillir sur notre stand.",
    "Nous vous proposons de faire un point téléphonique le {next_date} afin de valider "
    "ensemble les prochaines étapes.",
    "Sans nouvelles de votre part d'ici le {next_date}, nous nous permettrons de vous relancer "
    "par téléphone.",
    "Nous restons attentifs à vos remarques, qui nous aident à améliorer chaque jour la qualité "
    "de nos services.",
)
