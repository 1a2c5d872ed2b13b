# Samverka – svenska. All text som en användare läser finns här (och i en/, da/).

language-name = Svenska
language-label = Språk
language-switch = Byt språk
skip-to-content = Hoppa till huvudinnehållet
demo-banner = Demo: alla personer som visas här är syntetiska (påhittade). Skriv aldrig in riktiga personuppgifter.
footer-text = Samverka – samordning med öppen källkod mellan hälso- och sjukvård, socialtjänst, skola, Försäkringskassan och Arbetsförmedlingen.
nav-main = Huvudmeny
nav-home = Start
nav-persons = Personer
nav-programmes = Samverkansprogram
nav-admin-users = Användare
nav-admin-organisations = Organisationer
nav-admin-programmes = Hantera samverkansprogram
nav-account = Mitt konto
sign-out = Logga ut
back-home = Gå till startsidan
yes = Ja
no = Nej
save = Spara
saved = Dina ändringar är sparade.
create = Skapa
active = Aktiv
inactive = Inaktiv
synthetic = syntetisk
form-has-errors = Rätta följande
field-required-marker = obligatoriskt
date-hint = Format: ÅÅÅÅ-MM-DD, t.ex. 2026-03-01.

## Inloggning
login-title = Logga in
login-username = Användarnamn
login-password = Lösenord
login-submit = Logga in
login-failed = Användarnamnet eller lösenordet är fel.
login-throttled = För många misslyckade försök. Vänta 15 minuter och försök igen.
login-demo-hint = Demokonton: admin, coordinator, lead, auditor, primarycare, hospital, social, homecare, school, insurance, employment – alla med lösenordet "demo".
totp-title = Ange din engångskod
totp-code = Engångskod
totp-code-hint = De sex siffror som din autentiseringsapp visar just nu.
totp-submit = Fortsätt
totp-code-wrong = Koden är fel eller har gått ut. Ange koden som appen visar just nu.
totp-setup-expired = Tiden för att slå på tvåstegsinloggning har gått ut. Börja om.
totp-step-scan = Skanna QR-koden med en autentiseringsapp (eller skriv in nyckeln nedan i appen).
totp-step-code = Bekräfta genom att ange den sexsiffriga kod som appen visar.
totp-qr-alt = QR-kod för att ställa in autentiseringsappen
totp-secret-label = Nyckel:
totp-confirm = Slå på tvåstegsinloggning

## Start
home-title = Start
home-welcome = Välkommen, { $name }
home-memberships = Där du arbetar
home-no-memberships = Du är ännu inte medlem i någon enhet. Kontakta en administratör.
home-next = Det här kan du göra
col-unit = Enhet
col-organisation = Organisation
col-role = Roll
col-name = Namn
col-sector = Sektor
col-country = Land
col-status = Status
col-actions = Åtgärder

## Konto
account-title = Mitt konto
account-change-password = Byt lösenord
account-current-password = Nuvarande lösenord
account-new-password = Nytt lösenord
account-confirm-password = Upprepa det nya lösenordet
account-password-hint = Minst 10 tecken. Några ord som inte hör ihop blir ett bra lösenord.
account-totp = Tvåstegsinloggning
account-totp-on = Tvåstegsinloggning med autentiseringsapp är påslagen.
account-totp-off = Tvåstegsinloggning är avstängd. Slå på den för att skydda ditt konto med en engångskod.
account-totp-enable = Slå på tvåstegsinloggning
account-totp-disable = Stäng av tvåstegsinloggning
password-too-short = Lösenordet måste ha minst { $min } tecken.
password-wrong = Lösenordet är fel.
password-mismatch = De två nya lösenorden stämmer inte överens.

## Samverkansprogram
programmes-title = Samverkansprogram
programmes-none = Det finns inga samverkansprogram ännu.
programme-period = Period
programme-country = Land
programme-organisations = Deltagande organisationer
programme-description = Beskrivning
programme-new = Nytt samverkansprogram
programme-starts-on = Startdatum
programme-ends-on = Slutdatum (valfritt)

## Personer
persons-title = Sök person
persons-search = Sök
persons-search-label = Namn eller identitetsnummer
persons-search-hint = Skriv en del av namnet, eller ett fullständigt personnummer, samordningsnummer eller CPR-nummer.
persons-results = Sökresultat
persons-none-found = Ingen person matchar sökningen.
persons-truncated = Bara de första 50 träffarna visas. Gör sökningen mer specifik.
persons-register = Registrera en ny person
persons-register-submit = Registrera person
persons-back = Tillbaka till sökningen
person-name = Namn
person-identity = Identitet
person-contact = Kontaktuppgifter och språk
person-national-id = Identitetsnummer
person-national-id-hint = Svenskt: ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN. Danskt: DDMMÅÅ-SSSS.
person-id-scheme = Typ av nummer
person-given-name = Förnamn
person-family-name = Efternamn
person-birth-date = Födelsedatum
person-sex = Kön
person-address = Adress
person-street = Gatuadress
person-postal-code = Postnummer
person-city = Ort
person-phone = Telefon
person-language = Föredraget språk
person-language-hint = En språkkod, t.ex. sv, da, en, ar, so.
person-interpreter = Behöver tolk
person-protected-identity = Skyddade personuppgifter: adressen visas inte.
person-protected-identity-label = Skyddade personuppgifter (adressen får aldrig visas)
person-synthetic-note = Det här är en syntetisk demoperson, inte en verklig person.
sex-female = Kvinna
sex-male = Man
id-scheme-swedish = Svenskt personnummer eller samordningsnummer
id-scheme-danish = Danskt CPR-nummer
id-scheme-reserve = Lokalt reservnummer
id-kind-personnummer = personnummer
id-kind-samordningsnummer = samordningsnummer
id-kind-cpr = CPR-nummer
id-kind-reserve = reservnummer

## Administration
org-new = Ny organisation
units-title = Enheter
units-none = Organisationen har inga enheter ännu.
unit-new = Ny enhet
user-new = Ny användare
user-display-name = Fullständigt namn
user-email = E-post (valfritt)
user-username-hint = 2–64 tecken: små bokstäver, siffror, punkt, bindestreck eller understreck.
user-initial-password = Startlösenord
user-reset-password = Ange ett nytt lösenord
user-reset-password-hint = Användaren loggas ut överallt och loggar sedan in med det här lösenordet.
user-access = Behörighet
user-deactivate = Inaktivera användaren
user-deactivate-hint = En inaktiverad användare loggas ut direkt och kan inte längre logga in.
user-reactivate = Aktivera användaren igen
user-memberships = Medlemskap: enheter och roller
membership-add = Lägg till medlemskap
membership-remove = Ta bort
country-se = Sverige
country-dk = Danmark

## Roller
role-administrator = Administratör
role-coordinator = Samordnare
role-professional = Handläggare
role-programme_lead = Programansvarig
role-auditor = Loggranskare

## Sektorer
sector-primary_care = Primärvård (vårdcentral)
sector-hospital = Sjukhus
sector-psychiatry = Psykiatri
sector-social_services = Socialtjänst
sector-needs_assessment = Biståndsenhet
sector-home_care = Hemtjänst och hemsjukvård
sector-school_health = Elevhälsa
sector-child_health = Barnhälsovård (BVC)
sector-social_insurance = Försäkringskassan
sector-employment_service = Arbetsförmedlingen
sector-association = Förening
sector-private_provider = Privat vårdgivare
sector-university = Universitet
sector-other = Övrigt

## Meddelanden för fält
field-required = Fältet måste fyllas i.
field-too-long = Högst { $max } tecken.
field-control-character = Ta bort styrtecknen från fältet.
date-invalid = "{ $value }" är inte ett datum. Använd ÅÅÅÅ-MM-DD.
date-end-before-start = Slutdatumet ligger före startdatumet.
country-unknown = Välj Sverige eller Danmark.
sector-unknown = Välj en sektor i listan.
name-taken = Namnet används redan.
organisation-unknown = En av de valda organisationerna finns inte.
unit-unknown = Välj en enhet i listan.
role-unknown = Välj en roll i listan.
username-invalid = Använd 2–64 tecken: små bokstäver, siffror, punkt, bindestreck eller understreck.
username-taken = Användarnamnet används redan.
email-invalid = Det här är inte en e-postadress.
user-cannot-deactivate-self = Du kan inte inaktivera ditt eget konto.
id-scheme-unknown = Välj typ av nummer i listan.
sex-unknown = Välj kvinna, man eller inget.
phone-invalid = Ett telefonnummer får bara innehålla siffror, mellanslag, +, - och parenteser.
language-invalid = Använd en språkkod, till exempel sv, da eller en.
national-id-already-registered = En person med det här identitetsnumret är redan registrerad. Sök efter personen i stället.
national-id-empty = Ange identitetsnumret.
national-id-invalid-character = Tecknet "{ $character }" på position { $position } är inte tillåtet. Använd siffror och högst ett - eller +.
national-id-wrong-length = Ett svenskt nummer har 10 eller 12 siffror; det här har { $digits }.
national-id-cpr-wrong-length = Ett CPR-nummer har 10 siffror; det här har { $digits }.
national-id-multiple-separators = Använd högst ett skiljetecken (- eller +).
national-id-misplaced-separator = Skiljetecknet ska stå före de fyra sista siffrorna.
national-id-plus-in-twelve-digit-form = Ett nummer med 12 siffror skrivs utan +.
national-id-invalid-century = Århundradet { $century } är inte möjligt.
national-id-invalid-month = Det finns ingen månad { $month }.
national-id-invalid-day = Det finns ingen dag { $day } i den månaden.
national-id-in-future = Födelsedatumet ligger i framtiden.
national-id-checksum-mismatch = Kontrollsiffran stämmer inte (sista siffran borde vara { $expected }, inte { $found }). Kontrollera om något är felskrivet.
national-id-reserve-too-long = Ett reservnummer har högst { $max } tecken.

## Fel
error-forbidden-title = Åtkomst nekad
error-forbidden = Din roll ger inte behörighet till den här sidan. Om du behöver den i ditt arbete, kontakta en administratör.
error-csrf = Formuläret hade gått ut eller kom inte från Samverka. Gå tillbaka, ladda om sidan och försök igen.
error-not-found-title = Sidan hittades inte
error-not-found = Det finns ingenting på den här adressen, eller så har du inte behörighet att se det.
error-bad-request-title = Något är fel med förfrågan
error-invalid-request = Förfrågan kunde inte tolkas.
error-form-missing = Formulärets uppgifter saknas.
error-form-too-large = Formuläret är för stort.
error-form-unreadable = Formulärets uppgifter kunde inte läsas.
error-internal-title = Något gick fel
error-internal = Samverka kunde inte slutföra förfrågan. Ingenting har ändrats. Försök igen, och kontakta din administratör om det händer igen.
