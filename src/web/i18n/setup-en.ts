// English texts of the setup page's provider-specific advice, program steps and error pages (merged into en.ts).

export const setupEn = {
  'setup.fromBrand': 'These settings come from {brand}.',
  'plain.title': 'Unencrypted only.',
  'plain.text':
    '{provider} offers no encrypted connection: your password and your mail travel readable for anyone on the way. Use this only on a network you trust, and ask {provider} for an encrypted connection.',
  'card.pop3.more': 'Only if you need POP3',
  'field.signin': 'Sign-in',
  'value.signinWindow': 'You sign in in {provider}’s own window; enter no password here.',
  'value.signinFirst': 'You sign in in {provider}’s own window.',
  'value.signinOrAppPassword': 'You sign in in {provider}’s own window. Programs without that need an app password (see below).',
  'word.password': 'your email password',
  'word.appPassword': 'the app password',
  'link.in.en': 'in English',
  'link.in.de': 'in German',

  'footer.imprint': 'Legal notice',
  'footer.privacy': 'Privacy',
  'footer.support': 'Support',
  'support.us': 'us',
  'support.both': 'Still stuck? Contact {brand}: {url} or {email}.',
  'support.url': 'Still stuck? Contact {brand}: {url}.',
  'support.email': 'Still stuck? Write to {brand}: {email}.',
  'print.stand': 'As of {date}',

  'before.oauthOnly':
    '{provider} accepts no passwords in mail programs: you sign in in {provider}’s own window. Use a program that offers {provider} as an account type (below); a profile or an app password does not work.',
  'before.oauthFirst': 'Programs that know {provider} open its sign-in window by themselves: choose “{type}” as the account type, not “Other”.',
  'before.appPasswordOnly': 'A program without that sign-in window needs an app password instead of your normal password.',
  'before.twoStep': '{provider} offers app passwords only once 2-step verification is switched on.',

  'warn.sentTitle': 'Sent mail',
  'warn.sent':
    'With IMAP, what you send is stored in the Sent folder on the server and shows on every device. With POP3 it stays on the one device you sent it from.',
  'warn.flagsTitle': 'Read and answered',
  'warn.flags': 'POP3 does not pass on which messages you have read or answered: every other device shows them as new.',
  'warn.twoDevicesTitle': 'POP3 on two devices',
  'warn.twoDevices':
    'On the phone, switch on “Leave a copy on the server” (or “Delete from server after 7 days”); the computer at home fetches and deletes. Then both see new mail and the mailbox does not fill up.',
  'warn.contactsTitle': 'Contacts and calendars',
  'warn.contacts': 'IMAP carries mail only. Contacts and calendars need CalDAV and CardDAV (or Exchange) from your provider.',
  'warn.contactsPop': 'POP3 carries mail only. Contacts and calendars need CalDAV and CardDAV (or Exchange) from your provider.',
  'warn.sizePop':
    'Your mailbox has a size limit. Mail left on the server counts against it: let one device delete what it has fetched.',
  'warn.port25Title': 'Port 25',
  'warn.port25': 'Many internet providers block outgoing connections on port 25. If sending fails, ask your mail provider for port 587 or 465.',

  'trouble.title': 'If something does not work',
  'trouble.authTitle': 'Sign-in fails',
  'trouble.auth':
    'Check the user name (usually the full address) and the password: type it in anew, watching for Caps Lock. If {provider} has locked the account after several attempts, sign in once in webmail.',
  'trouble.authApp':
    'Mail programs need an app password from {provider}, not your normal password. Check the user name (usually the full address) too.',
  'trouble.authOauth':
    '{provider} accepts no passwords here. Remove the account and add it again with {provider} as the account type, so that the program opens {provider}’s sign-in window.',
  'trouble.certTitle': 'Certificate warning',
  'trouble.cert':
    'The server name in your program must be exactly the one shown above. Do not accept a certificate for another name permanently: correct the server name instead.',
  'trouble.sendTitle': 'Receiving works, sending does not',
  'trouble.send':
    'Switch on sign-in for outgoing mail (“My outgoing server requires authentication”, same as incoming) and use port {port}, not 25: many internet providers block port 25.',
  'trouble.fullTitle': 'Mailbox full',
  'trouble.full':
    'Senders get their mail back. Delete large attachments, empty the trash and spam folders; with POP3, let one device delete what it has fetched.',
  'trouble.passwordTitle': 'Password forgotten',
  'trouble.password':
    'We do not know your password and cannot reset it. Reset it at {provider} (on the webmail sign-in page), then enter the new one in every program.',
  'trouble.passwordOauth': 'Reset it on {provider}’s sign-in page. Programs that sign in through {provider}’s window ask you to sign in again.',
  'trouble.check': 'Check the mail settings of {domain}',

  'source.brand': 'These settings come from {brand}, the provider of {domain}.',

  'chooser.thunderbird': 'Thunderbird',
  'chooser.outlookNew': 'New Outlook',
  'chooser.outlookClassic': 'Classic Outlook',
  'chooser.ios': 'iPhone, iPad',
  'chooser.mac': 'Mac',
  'chooser.samsung': 'Samsung Email',
  'chooser.android': 'Android (Thunderbird, K-9)',
  'chooser.outlookMobile': 'Outlook app',
  'chooser.gmail': 'Gmail app',
  'chooser.other': 'Other',
  'clients.choose': 'Which program do you use?',
  'tb.s1': 'Open the menu ≡ and choose “New” → “Existing Mail Account…” (Thunderbird 128).',
  'tb.s2': 'Enter your name, {address} and {password}, then click “Continue”.',
  'tb.s2Oauth': 'Enter your name and {address}; leave the password empty. Click “Continue”.',
  'tb.s3': 'Thunderbird finds the settings by itself. Choose “{proto}” and click “Done”.',
  'tb.s3Oauth': 'Choose “{proto}”, click “Done” and sign in in the {provider} window that opens.',
  'tb.s4':
    'If it finds nothing, click “Configure manually” and enter the values from above; as authentication choose “Normal password”.',
  'tb.hub':
    'Thunderbird 140 and later open the “Account Hub” instead: a window with the same fields. Enter name and address, then “Continue”; “Manual configuration” takes the values from above.',

  'outlookNew.title': 'New Outlook for Windows',
  'outlookNew.s1': 'Open “Settings” (gear) → “Accounts” → “Email accounts” and click “Add account”.',
  'outlookNew.s2': 'Enter {address} and click “Continue”.',
  'outlookNew.s3': 'If Outlook asks for the account type, choose “{protoOutlook}”, then “Show more” for the server settings:',
  'outlookNew.s4': 'Enter {password} and click “Continue”.',
  'outlookNew.sOauth': 'Outlook knows {provider}: sign in in the window that opens.',
  'outlookNew.cloud':
    'Good to know: the new Outlook syncs IMAP and POP3 accounts through Microsoft’s cloud, so your mail and your password are also stored at Microsoft. If you do not want that, use classic Outlook or Thunderbird.',
  'outlook.title': 'Classic Outlook for Windows',
  'outlook.s1': 'Click “File” → “Add Account”.',
  'outlook.s2':
    'Enter {address}, open “Advanced options”, tick “Let me set up my account manually” and click “Connect”.',
  'outlook.s2Oauth': 'Enter {address} and click “Connect”: Outlook opens {provider}’s sign-in window.',
  'outlook.s3': 'Choose “{protoOutlook}”.',
  'outlook.sIn': 'Incoming mail: server {host}, port {port}, encryption method {security}.',
  'outlook.sOut': 'Outgoing mail: server {host}, port {port}, encryption method {security}.',
  'outlook.s6': 'Enter {password} and click “Connect”.',

  'ios.title': 'iPhone and iPad (iOS 18 and 26)',
  'mac.title': 'Mac (macOS Sonoma and Sequoia)',
  'apple.builtInTitle': 'With the built-in account type (recommended)',
  'apple.profileTitle': 'With a profile',
  'apple.profileTitleApp': 'Or with a profile and an app password',
  'apple.manualTitle': 'By hand',
  'ios.sBuiltIn':
    'Open Settings → “Apps” → “Mail” → “Mail Accounts” → “Add Account”, choose “{type}” and sign in in {provider}’s window.',
  'ios.p1': 'Open this page in Safari on the device, tap “Download profile” and confirm with “Allow”.',
  'ios.p2': 'Open Settings and tap “Profile Downloaded” near the top (or “General” → “VPN & Device Management”).',
  'ios.p3': 'Tap “Install”, enter your device passcode and then {password}.',
  'ios.m1': 'Settings → “Apps” → “Mail” → “Mail Accounts” → “Add Account” → “Other” → “Add Mail Account”.',
  'ios.m2':
    'Enter name, {address} and password, tap “Next”, choose “{proto}” and enter the values from above. “Use SSL” stays on for SSL/TLS and for STARTTLS.',
  'mac.sBuiltIn': 'Open Mail → menu “Mail” → “Add Account…”, choose “{type}” and sign in in {provider}’s window.',
  'mac.p1': 'Click “Download profile”; the file lands in “Downloads”. Double-click it.',
  'mac.p2':
    'Open System Settings: on macOS Sequoia “General” → “Device Management”, on Sonoma “Privacy & Security” → “Profiles”.',
  'mac.p3': 'Double-click the profile, click “Install” and enter {password} when asked.',
  'mac.m1': 'Open Mail → menu “Mail” → “Add Account…” → “Other Mail Account…”.',
  'mac.m2': 'Enter name, {address} and password. If Mail finds no settings, choose “{proto}” and enter the values from above.',
  'apple.notVerified':
    'Your device shows “Not Verified” in red: this service does not sign its profiles. That only means nobody vouches for the file; check that it names the servers on this page, then install it.',

  'samsung.title': 'Samsung Email',
  'samsung.s1': 'Open Samsung Email → menu ≡ → gear (Settings) → “Add account”.',
  'samsung.s2': 'Choose “Other”, enter {address} and {password}, tap “Manual setup” and choose “{proto} account”.',
  'samsung.s3': 'Enter the incoming and outgoing server values from above and tap “Sign in”.',
  'samsung.sBuiltIn': 'Choose “{type}” and sign in in {provider}’s window.',
  'k9.title': 'Thunderbird for Android or K-9 Mail',
  'k9.s2Oauth': 'Enter {address}: the app knows {provider} and opens its sign-in window.',
  'outlookMobile.title': 'Outlook app (iPhone, Android)',
  'outlookMobile.s1': 'Open Outlook, tap your profile picture → gear (Settings) → “Add mail account” → “Add an email account”.',
  'outlookMobile.s2': 'Enter {address} and tap “Continue”.',
  'outlookMobile.s3': 'Choose “IMAP”, switch on “Advanced settings”, enter the values from above and {password}.',
  'outlookMobile.sOauth': 'Outlook knows {provider}: sign in in the window that opens.',
  'outlookMobile.noPop': 'The Outlook app cannot fetch mail by POP3. Use Samsung Email, Thunderbird for Android or the Gmail app instead.',
  'gmail.title': 'Gmail app',
  'gmail.s1': 'Tap your profile picture → “Add another account”.',
  'gmail.sBuiltIn': 'Choose “{type}” and sign in in {provider}’s window.',
  'gmail.notOther': 'Choose “Google”, not “Other”: only then does the app sign in the right way.',
  'gmail.s1Other': 'Tap your profile picture → “Add another account” → “Other”.',
  'other.title': 'Any other program',
  'other.oauthOnly': 'The program must offer {provider} sign-in (OAuth2); with a password it cannot connect.',
  'steps.noPassword': 'This program cannot sign in to {provider}: it only offers password sign-in, which {provider} refuses.',

  'page404.title': 'Page not found',
  'page404.lead': 'There is no page at this address. Perhaps the link is old or mistyped.',
  'page404.home': 'To the start page',
  'notfound.didYouMean': 'Did you mean {suggestion}?',
  'notfound.onlyDatabase': 'This service looks up settings only in its provider database; it does not ask the domain itself.',
  'reason.doubleAt': 'it contains two @ in a row',
  'reason.twoAt': 'it contains more than one @',
} satisfies Record<string, string>;
