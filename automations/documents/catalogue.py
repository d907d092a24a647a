"""The variables each template may use, documented (``mila docs variables`` lists them), and
the template file of each document kind."""

from __future__ import annotations

from .variables import Variable

V = Variable

ASSOCIATION_VARIABLES = (
    V("association.nom", "nom court de l'association", "MILA"),
    V("association.nom_complet", "dénomination complète", "Association MILA"),
    V("association.forme", "forme juridique", "association régie par la loi du 1er juillet 1901"),
    V("association.adresse", "adresse du siège", "12 rue Émile Blémont, 75018 Paris"),
    V("association.le_nom", "nom court précédé de son article (à employer avec |de ou |a)", "le MILA"),
    V("association.designation", "dénomination complète précédée de son article", "l’Association MILA"),
    V("association.siret", "SIRET de l'association (vide s'il n'est pas configuré)", "123 456 789 00012"),
    V("association.rna", "numéro RNA de l'association (vide s'il n'est pas configuré)", "W751234567"),
    V("association.tva_intracom", "numéro de TVA intracommunautaire (peut être vide)", "FR12 123456789"),
    V("association.iban", "IBAN pour les virements (peut être vide)", "FR76 …"),
    V("association.bic", "BIC (peut être vide)", "CCOPFRPPXXX"),
    V("association.email", "adresse électronique (peut être vide)", "contact@mila.example"),
    V("association.telephone", "téléphone (peut être vide)", "01 23 45 67 89"),
    V("association.site_web", "site internet (peut être vide)", "www.mila.example"),
    V("association.ville", "ville où les documents sont signés", "Paris"),
    V(
        "association.president.nom",
        "nom du président ou de la présidente (onglet Conseil)",
        "Juliette Texier",
    ),
    V("association.president.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.president.titre", "Présidente, Président ou Président·e selon la civilité", "Présidente"),
    V(
        "association.president.connu",
        "oui si le Conseil a un président ou une présidente en fonction",
        "True",
    ),
    V("association.tresorier.nom", "nom du trésorier ou de la trésorière (onglet Conseil)", "Nadia Giraud"),
    V("association.tresorier.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.tresorier.titre", "Trésorière, Trésorier ou Trésorier·e selon la civilité", "Trésorière"),
    V(
        "association.tresorier.connu",
        "oui si le Conseil a un trésorier ou une trésorière en fonction",
        "True",
    ),
    V(
        "association.signataire.nom",
        "qui signe pour l'association : la présidence, sauf si elle est liée "
        "à l'autre partie (ordre : [association] signatory_order)",
        "Nadia Giraud",
    ),
    V("association.signataire.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.signataire.titre", "sa fonction, accordée", "Trésorière"),
    V("association.signataire.qualite", "« en sa qualité de … »", "en sa qualité de trésorière"),
    V("association.signataire.connu", "oui si un membre du bureau peut signer", "True"),
    V(
        "association.comparution",
        "l'association comme partie à un contrat, en une phrase : dénomination, forme, siège, "
        "SIRET, RNA, signataire et sa qualité",
        "Association MILA, association régie par la loi du 1er juillet 1901, dont le siège est "
        "situé 12 rue Émile Blémont, 75018 Paris, représentée par Mme Juliette Texier, en sa "
        "qualité de présidente",
    ),
)
DOCUMENT_VARIABLES = (
    V("document.date", "date de production du document", "4 mars 2025"),
    V("document.date_courte", "la même, en chiffres", "04/03/2025"),
    V("document.lieu", "ville de signature (« Fait à … »)", "Paris"),
)
MEMBER_VARIABLES = (
    V("membre.id", "identifiant du membre", "M0012"),
    V("membre.structure", "nom de la structure (ou de la personne)", "Pixel & Refrain"),
    V("membre.siret", "SIRET de la structure (vide s'il manque)", "683 721 419 00110"),
    V("membre.representant", "prénom et nom du ou de la représentant·e (colonne Contact)", "Léa Morel"),
    V("membre.email", "adresse électronique", "lea@pixel-refrain.fr"),
    V("membre.telephone", "téléphone (peut être vide)", "06 12 34 56 78"),
    V("membre.categorie", "catégorie de membre, en toutes lettres", "Membre hébergé"),
    V("membre.forme_juridique", "forme juridique (colonne facultative, peut être vide)", "SARL"),
    V("membre.adresse", "adresse du siège, ou de la personne (peut être vide)", "8 rue Myrha, 75018 Paris"),
    V("membre.civilite", "civilité du ou de la représentant·e : Mme, M. ou vide", "Mme"),
    V("membre.representant_complet", "le ou la représentant·e avec sa civilité", "Mme Léa Morel"),
    V("membre.personne", "oui si le membre est une personne (elle ne se représente pas elle-même)", "False"),
    V(
        "membre.represente_par",
        "« représentée par Mme … » (vide si le membre est une personne)",
        "représentée par Mme Léa Morel",
    ),
    V("membre.soussigne", "soussignée, soussigné ou soussigné·e selon la civilité", "soussignée"),
    V("membre.qualite", "représentante, représentant ou représentant·e selon la civilité", "représentante"),
    V("membre.accord", "terminaison d'accord du membre : e (une structure, une femme), vide ou ·e", "e"),
    V(
        "membre.qualite_representant",
        "qualité du ou de la représentant·e (colonne Qualité du représentant, peut être vide)",
        "gérante",
    ),
    V(
        "membre.titre_signature",
        "sous le nom du ou de la représentant·e, dans le bloc de signature : sa qualité et la "
        "structure (« Gérante, Bleu Citron ») ; vide pour un membre qui est une personne",
        "Gérante, Bleu Citron",
    ),
    V(
        "membre.comparution",
        "le membre comme partie à un contrat, en une phrase : dénomination, forme, siège, SIRET, "
        "numéro d'adhérent, représentant·e et sa qualité (« dûment habilitée » sans qualité) ; "
        "commence par une minuscule : {{ membre.comparution|majuscule }} en début de paragraphe",
        "la société Pixel & Refrain, SARL, dont le siège est situé 8 rue Myrha, 75018 Paris, "
        "membre de l’Association (adhérent n° M0012), représentée par Mme Léa Morel, "
        "en sa qualité de gérante",
    ),
    V(
        "membre.pour_structure",
        "après le nom du ou de la représentant·e : « , » puis sa qualité (colonne Qualité du "
        "représentant, sinon « représentante ») et la structure ; vide si le membre est une personne",
        ", gérante de Pixel & Refrain",
    ),
    V(
        "membre.categorie_numero",
        "catégorie et numéro d'adhérent (« Membre n° … » sans catégorie)",
        "Membre hébergé · n° M0012",
    ),
)

INVOICE_VARIABLES = (
    ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + (
        V("vendeur.nom", "dénomination de l'association qui facture", "Association MILA"),
        V(
            "vendeur.adresse",
            "adresse de l'association ([billing] address, sinon [association] address)",
            "12 rue Émile Blémont, 75018 Paris",
        ),
        V("vendeur.siren", "SIREN de l'association", "732829320"),
        V("vendeur.siret", "SIRET de l'association", "73282932000074"),
        V(
            "vendeur.tva_intracom",
            "numéro de TVA intracommunautaire (vide si non assujettie)",
            "FR40303265045",
        ),
        V("client.id", "identifiant du membre facturé", "M0012"),
        V("client.nom", "nom de la structure facturée", "Pixel & Refrain"),
        V("client.adresse", "adresse du client (colonne Adresse de Membres, peut être vide)", "8 rue Myrha"),
        V(
            "client.siren",
            "SIREN du client (9 premiers chiffres de son SIRET, peut être vide)",
            "683 721 419",
        ),
        V(
            "client.identifiant",
            "« SIREN 683 721 419 », « SIREN non communiqué » pour une entreprise sans SIRET, "
            "vide pour un particulier",
            "SIREN 683 721 419",
        ),
        V("facture.numero", "numéro de la facture ou de l'avoir", "F2026-0001"),
        V("facture.date", "date d'émission : le jour où le document est produit", "1er mars 2026"),
        V("facture.echeance", "date d'échéance du paiement", "31 mars 2026"),
        V(
            "facture.reglement",
            "la fin de la ligne sous le titre (« échéance le … », « acquittée le … » si payée d'avance)",
            "échéance le 1er avril 2026",
        ),
        V("facture.objet", "objet : cotisation, mise à disposition, réservations", "Cotisation"),
        V("facture.periode", "période de la prestation", "du 1er mars 2026 au 28 février 2027"),
        V("facture.categorie", "catégorie de l'opération", "Prestation de services"),
        V("facture.acquittee", "oui si le paiement est arrivé avant la facture", "False"),
        V("facture.acquittee_le", "date de ce paiement (vide sinon)", "12 février 2026"),
        V("facture.reference_paiement", "référence à rappeler avec le paiement : le numéro", "F2026-0001"),
        V("avoir.facture", "avoir : numéro de la facture annulée (vide pour une facture)", "F2026-0001"),
        V("avoir.facture_date", "avoir : date de la facture annulée", "1er mars 2026"),
        V("avoir.motif", "avoir : motif de l'annulation", "loyer facturé deux fois"),
        V("lignes", "lignes de la facture", ""),
        V("lignes[].designation", "désignation de la prestation", "Mise à disposition de Bureau 3"),
        V("lignes[].quantite", "quantité", "1"),
        V("lignes[].prix_unitaire", "prix unitaire hors taxes", "500 €"),
        V("lignes[].ht", "montant hors taxes de la ligne", "500 €"),
        V("lignes[].taux_tva", "taux de TVA de la ligne", "20 %"),
        V(
            "lignes[].calcul",
            "quantité × prix unitaire = montant de la ligne (avec « HT » et son taux de TVA "
            "quand l'association est assujettie)",
            "1 × 500 € HT = 500 € HT, TVA 20 %",
        ),
        V("tva.assujettie", "oui si l'association facture la TVA ([billing] vat_registered)", "True"),
        V("tva.par_taux", "la TVA par taux", ""),
        V("tva.par_taux[].taux", "taux de TVA", "20 %"),
        V("tva.par_taux[].base", "base hors taxes à ce taux", "500 €"),
        V("tva.par_taux[].montant", "TVA à ce taux", "100 €"),
        V(
            "tva.mention_exoneration",
            "mention d'exonération quand l'association n'est pas assujettie (vide sinon)",
            "TVA non applicable, article 293 B du CGI",
        ),
        V("tva.debits", "oui si l'association a opté pour la TVA d'après les débits", "False"),
        V("tva.mention_debits", "la mention de cette option (vide sinon)", "Option pour le paiement…"),
        V("totaux.ht", "total hors taxes", "500 €"),
        V("totaux.tva", "total de la TVA", "100 €"),
        V("totaux.ttc", "total toutes taxes comprises", "600 €"),
        V("conditions", "conditions de paiement : pénalités, indemnité de 40 €, pas d'escompte", ""),
        V("paiement.iban", "IBAN de l'association (peut être vide)", "FR76 …"),
        V("paiement.bic", "BIC (peut être vide)", "CCOPFRPPXXX"),
    )
)

VARIABLES: dict[str, tuple[Variable, ...]] = {
    "convention": ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + MEMBER_VARIABLES
    + (
        V("convention.id", "identifiant de la convention (onglet Occupations)", "C014"),
        V("convention.debut", "date de début de l'occupation (colonne Début)", "1er septembre 2024"),
        V(
            "convention.effet",
            "date de prise d'effet de ce document : le début de l'occupation, ou, pour une "
            "occupation déjà en cours, le 1er du mois qui suit",
            "1er janvier 2027",
        ),
        V(
            "convention.remplace",
            "oui si l'occupation a commencé avant ce document : il remplace la convention en vigueur",
            "False",
        ),
        V("convention.fin", "date de fin (vide si la convention est à durée indéterminée)", "31 août 2027"),
        V(
            "convention.duree",
            "durée, en toutes lettres, à partir de la prise d'effet",
            "à compter du 1er septembre 2024 et pour une durée indéterminée",
        ),
        V("convention.indeterminee", "oui si aucune date de fin n'est prévue", "True"),
        V("revision.connue", "oui si « Révisée le » et « Indice de référence » sont renseignés", "True"),
        V("revision.date", "date de la dernière révision du loyer (Révisée le)", "1er octobre 2024"),
        V("revision.indice", "indice ILAT retenu à cette révision (Indice de référence)", "136,33"),
        V("local.id", "identifiant du local", "L03"),
        V("local.nom", "nom du local", "Bureau 3"),
        V("local.site", "site : Pépinière, Milab ou Boutique", "Pépinière"),
        V("local.adresse", "adresse du local", "12 rue Émile Blémont, 75018 Paris"),
        V("local.surface", "surface (vide si inconnue)", "10 m²"),
        V("loyer.ht", "redevance mensuelle hors taxes", "250 €"),
        V("loyer.tva", "TVA sur la redevance mensuelle", "50 €"),
        V("loyer.ttc", "redevance mensuelle toutes taxes comprises", "300 €"),
        V("loyer.taux_tva", "taux de TVA appliqué", "20 %"),
        V("depot.prevu", "oui si un dépôt de garantie est prévu", "True"),
        V("depot.montant", "montant du dépôt de garantie", "500 €"),
        V(
            "depot.verse",
            "oui si l'occupation a commencé avant ce document : le dépôt a déjà été versé",
            "False",
        ),
        V("cotisation.connue", "oui si la cotisation a pu être calculée", "True"),
        V("cotisation.ht", "cotisation annuelle hors taxes", "100 €"),
        V("cotisation.tva", "TVA sur la cotisation", "20 €"),
        V("cotisation.ttc", "cotisation annuelle toutes taxes comprises", "120 €"),
        V("cotisation.detail", "calcul de la cotisation", "10 m² × 10 € = 100 € HT"),
        V("charte.signee", "oui si le membre a signé la charte des valeurs", "True"),
        V("charte.date", "date de signature de la charte (vide sinon)", "3 octobre 2022"),
        V(
            "reglement.annexe",
            "oui si le dossier des modèles contient reglement_interieur.docx, annexé à la convention",
            "True",
        ),
    ),
    "charte": ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + MEMBER_VARIABLES
    + (
        V("charte.signee", "oui si la charte est déjà signée (exemplaire réimprimé)", "False"),
        V("charte.date", "date de signature déjà enregistrée (vide sinon)", ""),
    ),
    "registre_charte": ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + (
        V("registre.date", "date à laquelle le registre est arrêté", "4 mars 2025"),
        V("registre.total", "nombre de membres actifs : à jour de cotisation (à jour, à renouveler)", "118"),
        V("registre.signees", "nombre de chartes signées", "97"),
        V("registre.a_signer", "nombre de chartes à signer", "21"),
        V("membres", "liste des membres à jour de cotisation, par ordre alphabétique", ""),
        V("membres[].numero", "numéro de ligne", "1"),
        V("membres[].id", "identifiant du membre", "M0012"),
        V("membres[].structure", "nom de la structure", "Pixel & Refrain"),
        V("membres[].representant", "représentant·e (vide si le membre est une personne)", "Léa Morel"),
        V("membres[].categorie", "catégorie, en un mot", "Bénéficiaire"),
        V("membres[].signature", "date de signature, ou « à signer »", "3 octobre 2022"),
        V("membres[].signee", "oui si la charte est signée", "True"),
    ),
    "recu": ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + MEMBER_VARIABLES
    + (
        V("recu.numero", "numéro du reçu (année du paiement et rang dans l'année)", "2025-014"),
        V("recu.date", "date du reçu : le jour où il est produit, jamais antidaté", "20 novembre 2024"),
        V("paiement.date", "date du paiement (« paiement reçu le … »)", "13 novembre 2024"),
        V(
            "paiement.moyen",
            "moyen de paiement (colonne « Moyen » de Paiements ; vide s'il n'est pas connu)",
            "virement",
        ),
        V("paiement.id", "identifiant du paiement dans l'onglet Paiements (vide sans cet onglet)", "P00042"),
        V("recu.objet", "ce que paie le paiement : cotisation, loyer ou réservation", "cotisation"),
        V("recu.titre", "titre du reçu selon son objet", "Reçu de cotisation"),
        V(
            "recu.au_titre",
            "ce que le paiement règle, en fin de phrase",
            "sa cotisation annuelle pour la période du 13 novembre 2024 au 12 novembre 2025",
        ),
        V("paiement.montant", "montant reçu (Montant payé)", "660 €"),
        V(
            "paiement.somme",
            "montant reçu, suivi de « toutes taxes comprises » quand l'association facture la TVA",
            "660 € toutes taxes comprises",
        ),
        V("periode.debut", "premier jour de la période couverte", "13 novembre 2024"),
        V("periode.fin", "dernier jour de la période couverte", "12 novembre 2025"),
        V("montant.ht", "montant hors taxes", "550 €"),
        V("montant.tva", "TVA", "110 €"),
        V("montant.ttc", "montant toutes taxes comprises", "660 €"),
        V("montant.taux_tva", "taux de TVA", "20 %"),
        V("montant.tva_applicable", "oui si l'association facture la TVA ([billing] vat_registered)", "True"),
        V(
            "montant.mention_tva",
            "mention d'exonération quand l'association ne facture pas la TVA (vide sinon)",
            "TVA non applicable, article 293 B du CGI",
        ),
        V(
            "detail",
            "calcul de la cotisation, en une phrase (vide si le montant reçu en diffère)",
            "55 m² × 10 € = 550 € HT",
        ),
        V("lignes", "lignes de la cotisation", ""),
        V("lignes[].libelle", "libellé de la ligne", "Forfait PREMIUM"),
        V("lignes[].montant", "montant hors taxes de la ligne", "170 €"),
        V("lignes[].tva", "TVA de la ligne", "34 €"),
        V("lignes[].ttc", "montant toutes taxes comprises de la ligne", "204 €"),
        V("ecart", "oui si le montant reçu diffère de la cotisation calculée", "False"),
    ),
    "emargement": ASSOCIATION_VARIABLES
    + DOCUMENT_VARIABLES
    + (
        V("assemblee.titre", "intitulé de l'assemblée", "Assemblée générale ordinaire"),
        V("assemblee.date", "date de l'assemblée", "12 juin 2025"),
        V("assemblee.date_courte", "la même, en chiffres", "12/06/2025"),
        V("assemblee.lieu", "lieu de l'assemblée", "12 rue Émile Blémont, 75018 Paris"),
        V("membres", "membres à jour de cotisation à la date de l'assemblée", ""),
        V("membres[].numero", "numéro de ligne", "1"),
        V("membres[].id", "identifiant du membre", "M0012"),
        V("membres[].structure", "nom de la structure", "Pixel & Refrain"),
        V("membres[].representant", "représentant·e (vide si le membre est une personne)", "Léa Morel"),
        V("membres[].categorie", "catégorie, en un mot", "Hébergé"),
        V("membres[].voix", "nombre de voix", "10"),
        V("totaux.membres", "nombre de membres à jour", "84"),
        V("totaux.voix", "total des voix des membres à jour", "412"),
        V("totaux.quorum", "voix à réunir pour atteindre le quorum", "206"),
        V("totaux.quorum_pourcentage", "part des voix exigée", "50 %"),
    ),
    "facture": INVOICE_VARIABLES,
    "avoir": INVOICE_VARIABLES,
}
TEMPLATE_FILES = {name: f"{name}.docx" for name in VARIABLES}

# The association's règlement intérieur, when it has one: a Word document of the templates
# folder, annexed to every convention (it may use the convention's variables).
RULES_FILE = "reglement_interieur.docx"
