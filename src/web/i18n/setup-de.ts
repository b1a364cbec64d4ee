// Deutsche Texte zu setup-en.ts: Anrede mit „Sie“, Menünamen so, wie die deutschen Programme sie zeigen
// (iOS sagt „Account“, Thunderbird „Passwort, normal“).
import type { setupEn } from './setup-en.js';

export const setupDe: Record<keyof typeof setupEn, string> = {
  'setup.fromBrand': 'Diese Einstellungen stammen von {brand}.',
  'plain.title': 'Nur unverschlüsselt.',
  'plain.text':
    '{provider} bietet keine verschlüsselte Verbindung an: Ihr Passwort und Ihre E-Mails sind unterwegs für jeden lesbar. Nutzen Sie das nur in einem Netz, dem Sie vertrauen, und fragen Sie {provider} nach einer verschlüsselten Verbindung.',
  'card.pop3.more': 'Nur falls Sie POP3 brauchen',
  'field.signin': 'Anmeldung',
  'value.signinWindow': 'Sie melden sich im Fenster von {provider} an; hier geben Sie kein Passwort ein.',
  'value.signinFirst': 'Sie melden sich im Fenster von {provider} an.',
  'value.signinOrAppPassword':
    'Sie melden sich im Fenster von {provider} an. Programme ohne diese Anmeldung brauchen ein App-Passwort (siehe unten).',
  'word.password': 'Ihr E-Mail-Passwort',
  'word.appPassword': 'das App-Passwort',
  'link.in.en': 'englisch',
  'link.in.de': 'deutsch',

  'footer.imprint': 'Impressum',
  'footer.privacy': 'Datenschutz',
  'footer.support': 'Support',
  'support.us': 'uns',
  'support.both': 'Kommen Sie nicht weiter? Wenden Sie sich an {brand}: {url} oder {email}.',
  'support.url': 'Kommen Sie nicht weiter? Wenden Sie sich an {brand}: {url}.',
  'support.email': 'Kommen Sie nicht weiter? Schreiben Sie an {brand}: {email}.',
  'print.stand': 'Stand: {date}',

  'before.oauthOnly':
    '{provider} nimmt in E-Mail-Programmen keine Passwörter an: Sie melden sich im Fenster von {provider} an. Nutzen Sie ein Programm, das {provider} als Kontotyp anbietet (siehe unten); ein Profil oder App-Passwort funktioniert nicht.',
  'before.oauthFirst': 'Programme, die {provider} kennen, öffnen das Anmeldefenster von selbst: Wählen Sie „{type}“ als Kontotyp, nicht „Andere“.',
  'before.appPasswordOnly': 'Ein Programm ohne dieses Anmeldefenster braucht statt Ihres normalen Passworts ein App-Passwort.',
  'before.twoStep': 'App-Passwörter gibt es bei {provider} erst, wenn die Bestätigung in zwei Schritten eingeschaltet ist.',

  'warn.sentTitle': 'Gesendete E-Mails',
  'warn.sent':
    'Mit IMAP landet, was Sie senden, im Ordner „Gesendet“ auf dem Server und ist auf jedem Gerät zu sehen. Mit POP3 bleibt es auf dem einen Gerät, von dem Sie gesendet haben.',
  'warn.flagsTitle': 'Gelesen und beantwortet',
  'warn.flags': 'POP3 gibt nicht weiter, welche E-Mails Sie gelesen oder beantwortet haben: Jedes andere Gerät zeigt sie als neu.',
  'warn.twoDevicesTitle': 'POP3 auf zwei Geräten',
  'warn.twoDevices':
    'Schalten Sie auf dem Handy „Kopie auf dem Server lassen“ ein (oder „Nach 7 Tagen vom Server löschen“); der Computer zu Hause ruft ab und löscht. So sehen beide neue E-Mails und das Postfach läuft nicht voll.',
  'warn.contactsTitle': 'Kontakte und Kalender',
  'warn.contacts': 'IMAP überträgt nur E-Mails. Für Kontakte und Kalender braucht es CalDAV und CardDAV (oder Exchange) bei Ihrem Anbieter.',
  'warn.contactsPop': 'POP3 überträgt nur E-Mails. Für Kontakte und Kalender braucht es CalDAV und CardDAV (oder Exchange) bei Ihrem Anbieter.',
  'warn.sizePop':
    'Ihr Postfach hat eine Größenbeschränkung. Was auf dem Server bleibt, zählt mit: Lassen Sie ein Gerät löschen, was es abgerufen hat.',
  'warn.port25Title': 'Port 25',
  'warn.port25':
    'Viele Internetanbieter sperren ausgehende Verbindungen auf Port 25. Klappt das Senden nicht, fragen Sie Ihren E-Mail-Anbieter nach Port 587 oder 465.',

  'trouble.title': 'Wenn etwas nicht klappt',
  'trouble.authTitle': 'Die Anmeldung schlägt fehl',
  'trouble.auth':
    'Prüfen Sie den Benutzernamen (meist die vollständige Adresse) und das Passwort: Geben Sie es neu ein und achten Sie auf die Feststelltaste. Hat {provider} das Konto nach mehreren Versuchen gesperrt, melden Sie sich einmal im Webmailer an.',
  'trouble.authApp':
    'E-Mail-Programme brauchen ein App-Passwort von {provider}, nicht Ihr normales Passwort. Prüfen Sie auch den Benutzernamen (meist die vollständige Adresse).',
  'trouble.authOauth':
    '{provider} nimmt hier keine Passwörter an. Entfernen Sie das Konto und fügen Sie es mit {provider} als Kontotyp neu hinzu, damit das Programm das Anmeldefenster von {provider} öffnet.',
  'trouble.certTitle': 'Zertifikatswarnung',
  'trouble.cert':
    'Der Servername in Ihrem Programm muss genau der oben genannte sein. Akzeptieren Sie kein Zertifikat für einen anderen Namen dauerhaft, sondern korrigieren Sie den Servernamen.',
  'trouble.sendTitle': 'Empfangen klappt, Senden nicht',
  'trouble.send':
    'Schalten Sie die Anmeldung für den Postausgangsserver ein („Server erfordert Authentifizierung“, wie beim Posteingang) und nutzen Sie Port {port}, nicht 25: Viele Internetanbieter sperren Port 25.',
  'trouble.fullTitle': 'Postfach voll',
  'trouble.full':
    'Absender bekommen ihre E-Mails dann zurück. Löschen Sie große Anhänge, leeren Sie Papierkorb und Spam-Ordner; lassen Sie bei POP3 ein Gerät löschen, was es abgerufen hat.',
  'trouble.passwordTitle': 'Passwort vergessen',
  'trouble.password':
    'Wir kennen Ihr Passwort nicht und können es nicht zurücksetzen. Setzen Sie es bei {provider} zurück (auf der Anmeldeseite des Webmailers) und tragen Sie das neue in jedem Programm ein.',
  'trouble.passwordOauth':
    'Setzen Sie es auf der Anmeldeseite von {provider} zurück. Programme, die über das Fenster von {provider} angemeldet sind, bitten Sie dann, sich neu anzumelden.',
  'trouble.check': 'E-Mail-Einstellungen von {domain} prüfen',

  'source.brand': 'Diese Einstellungen stammen von {brand}, dem Anbieter von {domain}.',

  'chooser.thunderbird': 'Thunderbird',
  'chooser.outlookNew': 'Neues Outlook',
  'chooser.outlookClassic': 'Klassisches Outlook',
  'chooser.ios': 'iPhone, iPad',
  'chooser.mac': 'Mac',
  'chooser.samsung': 'Samsung E-Mail',
  'chooser.android': 'Android (Thunderbird, K-9)',
  'chooser.outlookMobile': 'Outlook-App',
  'chooser.gmail': 'Gmail-App',
  'chooser.other': 'Andere',
  'clients.choose': 'Welches Programm nutzen Sie?',
  'tb.s1': 'Öffnen Sie das Menü ≡ und wählen Sie „Neu“ → „Bestehendes E-Mail-Konto…“ (Thunderbird 128).',
  'tb.s2': 'Geben Sie Ihren Namen, {address} und {password} ein und klicken Sie auf „Weiter“.',
  'tb.s2Oauth': 'Geben Sie Ihren Namen und {address} ein; das Passwortfeld bleibt leer. Klicken Sie auf „Weiter“.',
  'tb.s3': 'Thunderbird findet die Einstellungen selbst. Wählen Sie „{proto}“ und klicken Sie auf „Fertig“.',
  'tb.s3Oauth': 'Wählen Sie „{proto}“, klicken Sie auf „Fertig“ und melden Sie sich im Fenster von {provider} an.',
  'tb.s4':
    'Findet Thunderbird nichts, klicken Sie auf „Manuell einrichten“ und tragen Sie die Werte von oben ein; als Authentifizierung wählen Sie „Passwort, normal“.',
  'tb.hub':
    'Ab Thunderbird 140 öffnet sich stattdessen der „Account Hub“: ein Fenster mit denselben Feldern. Name und Adresse eingeben, dann „Weiter“; unter „Manuelle Konfiguration“ tragen Sie die Werte von oben ein.',

  'outlookNew.title': 'Neues Outlook für Windows',
  'outlookNew.s1': 'Öffnen Sie „Einstellungen“ (Zahnrad) → „Konten“ → „E-Mail-Konten“ und klicken Sie auf „Konto hinzufügen“.',
  'outlookNew.s2': 'Geben Sie {address} ein und klicken Sie auf „Weiter“.',
  'outlookNew.s3': 'Fragt Outlook nach dem Kontotyp, wählen Sie „{protoOutlook}“ und dann „Mehr anzeigen“ für die Servereinstellungen:',
  'outlookNew.s4': 'Geben Sie {password} ein und klicken Sie auf „Weiter“.',
  'outlookNew.sOauth': 'Outlook kennt {provider}: Melden Sie sich im Fenster an, das sich öffnet.',
  'outlookNew.cloud':
    'Gut zu wissen: Das neue Outlook gleicht IMAP- und POP3-Konten über die Cloud von Microsoft ab. Ihre E-Mails und Ihr Passwort liegen dann auch bei Microsoft. Wenn Sie das nicht möchten, nehmen Sie das klassische Outlook oder Thunderbird.',
  'outlook.title': 'Klassisches Outlook für Windows',
  'outlook.s1': 'Klicken Sie auf „Datei“ → „Konto hinzufügen“.',
  'outlook.s2':
    'Geben Sie {address} ein, öffnen Sie „Erweiterte Optionen“, setzen Sie den Haken bei „Ich möchte mein Konto manuell einrichten“ und klicken Sie auf „Verbinden“.',
  'outlook.s2Oauth': 'Geben Sie {address} ein und klicken Sie auf „Verbinden“: Outlook öffnet das Anmeldefenster von {provider}.',
  'outlook.s3': 'Wählen Sie „{protoOutlook}“.',
  'outlook.sIn': 'Posteingang: Server {host}, Port {port}, Verschlüsselungsmethode {security}.',
  'outlook.sOut': 'Postausgang: Server {host}, Port {port}, Verschlüsselungsmethode {security}.',
  'outlook.s6': 'Geben Sie {password} ein und klicken Sie auf „Verbinden“.',

  'ios.title': 'iPhone und iPad (iOS 18 und 26)',
  'mac.title': 'Mac (macOS Sonoma und Sequoia)',
  'apple.builtInTitle': 'Mit dem eingebauten Account-Typ (empfohlen)',
  'apple.profileTitle': 'Mit einem Profil',
  'apple.profileTitleApp': 'Oder mit einem Profil und einem App-Passwort',
  'apple.manualTitle': 'Von Hand',
  'ios.sBuiltIn':
    'Öffnen Sie Einstellungen → „Apps“ → „Mail“ → „Mail-Accounts“ → „Account hinzufügen“, wählen Sie „{type}“ und melden Sie sich im Fenster von {provider} an.',
  'ios.p1': 'Öffnen Sie diese Seite in Safari auf dem Gerät, tippen Sie auf „Profil herunterladen“ und bestätigen Sie mit „Erlauben“.',
  'ios.p2': 'Öffnen Sie die Einstellungen und tippen Sie oben auf „Profil geladen“ (oder „Allgemein“ → „VPN und Geräteverwaltung“).',
  'ios.p3': 'Tippen Sie auf „Installieren“, geben Sie den Gerätecode und dann {password} ein.',
  'ios.m1': 'Einstellungen → „Apps“ → „Mail“ → „Mail-Accounts“ → „Account hinzufügen“ → „Andere“ → „Mail-Account hinzufügen“.',
  'ios.m2':
    'Geben Sie Name, {address} und Passwort ein, tippen Sie auf „Weiter“, wählen Sie „{proto}“ und tragen Sie die Werte von oben ein. „SSL verwenden“ bleibt für SSL/TLS und für STARTTLS eingeschaltet.',
  'mac.sBuiltIn':
    'Öffnen Sie Mail → Menü „Mail“ → „Account hinzufügen …“, wählen Sie „{type}“ und melden Sie sich im Fenster von {provider} an.',
  'mac.p1': 'Klicken Sie auf „Profil herunterladen“; die Datei landet in „Downloads“. Öffnen Sie sie per Doppelklick.',
  'mac.p2':
    'Öffnen Sie die Systemeinstellungen: unter macOS Sequoia „Allgemein“ → „Geräteverwaltung“, unter Sonoma „Datenschutz & Sicherheit“ → „Profile“.',
  'mac.p3': 'Doppelklicken Sie auf das Profil, klicken Sie auf „Installieren“ und geben Sie {password} ein, wenn danach gefragt wird.',
  'mac.m1': 'Öffnen Sie Mail → Menü „Mail“ → „Account hinzufügen …“ → „Anderer Mail-Account …“.',
  'mac.m2':
    'Geben Sie Name, {address} und Passwort ein. Findet Mail keine Einstellungen, wählen Sie „{proto}“ und tragen Sie die Werte von oben ein.',
  'apple.notVerified':
    'Ihr Gerät zeigt „Nicht überprüft“ in Rot: Dieser Dienst signiert seine Profile nicht. Das heißt nur, dass niemand für die Datei bürgt. Prüfen Sie, ob sie die Server dieser Seite nennt, und installieren Sie sie dann.',

  'samsung.title': 'Samsung E-Mail',
  'samsung.s1': 'Öffnen Sie Samsung E-Mail → Menü ≡ → Zahnrad (Einstellungen) → „Konto hinzufügen“.',
  'samsung.s2':
    'Wählen Sie „Andere“, geben Sie {address} und {password} ein, tippen Sie auf „Manuelles Setup“ und wählen Sie „{proto}-Konto“.',
  'samsung.s3': 'Tragen Sie die Werte für Posteingang und Postausgang von oben ein und tippen Sie auf „Anmelden“.',
  'samsung.sBuiltIn': 'Wählen Sie „{type}“ und melden Sie sich im Fenster von {provider} an.',
  'k9.title': 'Thunderbird für Android oder K-9 Mail',
  'k9.s2Oauth': 'Geben Sie {address} ein: Die App kennt {provider} und öffnet das Anmeldefenster.',
  'outlookMobile.title': 'Outlook-App (iPhone, Android)',
  'outlookMobile.s1':
    'Öffnen Sie Outlook, tippen Sie auf Ihr Profilbild → Zahnrad (Einstellungen) → „E-Mail-Konto hinzufügen“ → „Ein E-Mail-Konto hinzufügen“.',
  'outlookMobile.s2': 'Geben Sie {address} ein und tippen Sie auf „Weiter“.',
  'outlookMobile.s3': 'Wählen Sie „IMAP“, schalten Sie „Erweiterte Einstellungen“ ein und tragen Sie die Werte von oben und {password} ein.',
  'outlookMobile.sOauth': 'Outlook kennt {provider}: Melden Sie sich im Fenster an, das sich öffnet.',
  'outlookMobile.noPop':
    'Die Outlook-App kann keine E-Mails per POP3 abrufen. Nehmen Sie stattdessen Samsung E-Mail, Thunderbird für Android oder die Gmail-App.',
  'gmail.title': 'Gmail-App',
  'gmail.s1': 'Tippen Sie auf Ihr Profilbild → „Weiteres Konto hinzufügen“.',
  'gmail.sBuiltIn': 'Wählen Sie „{type}“ und melden Sie sich im Fenster von {provider} an.',
  'gmail.notOther': 'Wählen Sie „Google“, nicht „Sonstige“: Nur dann meldet sich die App richtig an.',
  'gmail.s1Other': 'Tippen Sie auf Ihr Profilbild → „Weiteres Konto hinzufügen“ → „Sonstige“.',
  'other.title': 'Jedes andere Programm',
  'other.oauthOnly': 'Das Programm muss die Anmeldung bei {provider} (OAuth2) anbieten; mit einem Passwort kommt es nicht hinein.',
  'steps.noPassword':
    'Dieses Programm kann sich bei {provider} nicht anmelden: Es bietet nur die Anmeldung mit Passwort, und die lehnt {provider} ab.',

  'page404.title': 'Seite nicht gefunden',
  'page404.lead': 'Unter dieser Adresse gibt es keine Seite. Vielleicht ist der Link veraltet oder vertippt.',
  'page404.home': 'Zur Startseite',
  'notfound.didYouMean': 'Meinten Sie {suggestion}?',
  'notfound.onlyDatabase': 'Dieser Dienst sucht Einstellungen nur in seiner Anbieter-Datenbank; bei der Domain selbst fragt er nicht nach.',
  'reason.doubleAt': 'sie enthält zwei @ hintereinander',
  'reason.twoAt': 'sie enthält mehr als ein @',
};
