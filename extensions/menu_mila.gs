/**
 * Menu « MILA » du classeur partagé : ajoute une ligne à l'onglet « Demandes ».
 *
 * À coller une fois dans Extensions › Apps Script (voir docs/demandes.md). Le script ne fait
 * qu'ajouter une ligne : mila la traite au passage suivant (chaque minute aux heures de bureau)
 * et écrit le résultat sur la ligne. L'onglet fonctionne aussi sans ce menu.
 */

var ONGLET = 'Demandes';

/** Les demandes, dans l'ordre de la liste déroulante ; la cible attendue de chacune. */
var DEMANDES = [
  ['synchroniser maintenant', ''],
  ['préparer le classeur', ''],
  ['importer les paiements', ''],
  ['prévisualiser les relances', ''],
  ['envoyer pour signature', 'une occupation (C012 : sa convention) ou un membre (M0034 : la charte)'],
  ['produire le rapport', 'une année, par exemple 2025'],
  ['envoyer le rapport au conseil', 'une année, par exemple 2025'],
  ['activer les envois', ''],
  ['suspendre les envois', '']
];

function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu('MILA')
    .addItem('Nouvelle demande…', 'nouvelleDemande')
    .addItem('Ouvrir l\'onglet Demandes', 'ouvrirDemandes')
    .addToUi();
}

function ouvrirDemandes() {
  var onglet = SpreadsheetApp.getActive().getSheetByName(ONGLET);
  if (onglet) {
    onglet.activate();
  } else {
    SpreadsheetApp.getUi().alert('L\'onglet « ' + ONGLET + ' » est absent : demandez à la personne '
      + 'qui a installé mila de lancer « mila preparer ».');
  }
}

function nouvelleDemande() {
  var ui = SpreadsheetApp.getUi();
  var onglet = SpreadsheetApp.getActive().getSheetByName(ONGLET);
  if (!onglet) {
    ouvrirDemandes();
    return;
  }
  var liste = DEMANDES.map(function (d, i) { return (i + 1) + '. ' + d[0]; }).join('\n');
  var choix = ui.prompt('Nouvelle demande', 'Numéro de la demande :\n' + liste, ui.ButtonSet.OK_CANCEL);
  if (choix.getSelectedButton() !== ui.Button.OK) return;
  var numero = parseInt(choix.getResponseText(), 10);
  if (!(numero >= 1 && numero <= DEMANDES.length)) {
    ui.alert('« ' + choix.getResponseText() + ' » n\'est pas un numéro de la liste : rien n\'a été ajouté.');
    return;
  }
  var demande = DEMANDES[numero - 1];
  var cible = '';
  if (demande[1]) {
    var reponse = ui.prompt(demande[0], 'Cible : ' + demande[1], ui.ButtonSet.OK_CANCEL);
    if (reponse.getSelectedButton() !== ui.Button.OK) return;
    cible = reponse.getResponseText().trim();
  }
  var entetes = onglet.getRange(1, 1, 1, onglet.getLastColumn()).getValues()[0].map(function (h) {
    return String(h).trim().toLowerCase();
  });
  var ligne = entetes.map(function () { return ''; });
  var valeurs = {
    'demande': demande[0],
    'cible': cible,
    'demandée par': Session.getActiveUser().getEmail(),
    'demandée le': new Date()
  };
  Object.keys(valeurs).forEach(function (nom) {
    var colonne = entetes.indexOf(nom);
    if (colonne >= 0) ligne[colonne] = valeurs[nom];
  });
  // Texte brut pour la cible (« 2025 » reste du texte, « C012 » n'est jamais une formule).
  var cibleColonne = entetes.indexOf('cible');
  onglet.appendRow(ligne);
  if (cibleColonne >= 0) {
    onglet.getRange(onglet.getLastRow(), cibleColonne + 1).setNumberFormat('@').setValue(cible);
  }
  onglet.activate();
  ui.alert('Demande ajoutée (ligne ' + onglet.getLastRow() + ') : mila la traite dans la minute, '
    + 'aux heures de bureau. Le résultat s\'affichera sur la ligne.');
}
