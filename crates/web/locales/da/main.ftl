# Samverka – dansk. Al tekst, som en bruger læser, findes her (og i en/, sv/).

language-name = Dansk
language-label = Sprog
language-switch = Skift sprog
skip-to-content = Spring til hovedindholdet
demo-banner = Demo: alle personer, der vises her, er syntetiske (opdigtede). Indtast aldrig rigtige personoplysninger.
footer-text = Samverka – koordinering med åben kildekode mellem sundhedsvæsen, socialforvaltning, skole, Udbetaling Danmark og jobcenter.
nav-main = Hovedmenu
nav-home = Forside
nav-persons = Personer
nav-programmes = Programmer
nav-admin-users = Brugere
nav-admin-organisations = Organisationer
nav-admin-programmes = Administrer programmer
nav-account = Min konto
sign-out = Log ud
back-home = Gå til forsiden
yes = Ja
no = Nej
save = Gem
saved = Dine ændringer er gemt.
create = Opret
active = Aktiv
inactive = Inaktiv
synthetic = syntetisk
form-has-errors = Ret venligst følgende
field-required-marker = skal udfyldes
date-hint = Format: ÅÅÅÅ-MM-DD, f.eks. 2026-03-01.

## Log ind
login-title = Log ind
login-username = Brugernavn
login-password = Adgangskode
login-submit = Log ind
login-failed = Brugernavnet eller adgangskoden er forkert.
login-throttled = For mange mislykkede forsøg. Vent 15 minutter, og prøv igen.
login-demo-hint = Demokonti: admin, coordinator, lead, auditor, primarycare, hospital, social, homecare, school, insurance, employment – alle med adgangskoden "demo".
totp-title = Indtast din engangskode
totp-code = Engangskode
totp-code-hint = De seks cifre, som din godkendelsesapp viser lige nu.
totp-submit = Fortsæt
totp-code-wrong = Koden er forkert eller udløbet. Indtast den kode, som appen viser lige nu.
totp-setup-expired = Opsætningen er udløbet. Start forfra.
totp-step-scan = Scan QR-koden med en godkendelsesapp (eller skriv nøglen nedenfor ind i appen).
totp-step-code = Indtast den sekscifrede kode, som appen viser, for at bekræfte.
totp-qr-alt = QR-kode til opsætning af godkendelsesappen
totp-secret-label = Nøgle:
totp-confirm = Slå totrinsbekræftelse til

## Forside
home-title = Forside
home-welcome = Velkommen, { $name }
home-memberships = Hvor du arbejder
home-no-memberships = Du er endnu ikke medlem af nogen enhed. Spørg en administrator.
home-next = Det kan du gøre
col-unit = Enhed
col-organisation = Organisation
col-role = Rolle
col-name = Navn
col-sector = Sektor
col-country = Land
col-status = Status
col-actions = Handlinger

## Konto
account-title = Min konto
account-change-password = Skift adgangskode
account-current-password = Nuværende adgangskode
account-new-password = Ny adgangskode
account-confirm-password = Gentag den nye adgangskode
account-password-hint = Mindst 10 tegn. Nogle få ord, der ikke hænger sammen, giver en god adgangskode.
account-totp = Totrinsbekræftelse
account-totp-on = Totrinsbekræftelse med en godkendelsesapp er slået til.
account-totp-off = Totrinsbekræftelse er slået fra. Slå den til for at beskytte din konto med en engangskode.
account-totp-enable = Slå totrinsbekræftelse til
account-totp-disable = Slå totrinsbekræftelse fra
password-too-short = Adgangskoden skal være på mindst { $min } tegn.
password-wrong = Adgangskoden er forkert.
password-mismatch = De to nye adgangskoder er ikke ens.

## Programmer
programmes-title = Programmer
programmes-none = Der er ingen programmer endnu.
programme-period = Periode
programme-country = Land
programme-organisations = Deltagende organisationer
programme-description = Beskrivelse
programme-new = Nyt program
programme-starts-on = Startdato
programme-ends-on = Slutdato (valgfri)

## Personer
persons-title = Find en person
persons-search = Søg
persons-search-label = Navn eller identitetsnummer
persons-search-hint = Skriv en del af navnet eller et helt CPR-nummer, svensk personnummer eller samordningsnummer.
persons-results = Søgeresultater
persons-none-found = Ingen personer matcher søgningen.
persons-truncated = Kun de første 50 resultater vises. Gør søgningen mere præcis.
persons-register = Registrer en ny person
persons-register-submit = Registrer person
persons-back = Tilbage til søgningen
person-name = Navn
person-identity = Identitet
person-contact = Kontakt og sprog
person-national-id = Identitetsnummer
person-national-id-hint = Svensk: ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN. Dansk: DDMMÅÅ-SSSS.
person-id-scheme = Nummertype
person-given-name = Fornavn
person-family-name = Efternavn
person-birth-date = Fødselsdato
person-sex = Køn
person-address = Adresse
person-street = Vej og husnummer
person-postal-code = Postnummer
person-city = By
person-phone = Telefon
person-language = Foretrukket sprog
person-language-hint = En sprogkode, f.eks. sv, da, en, ar, so.
person-interpreter = Har brug for tolk
person-protected-identity = Navne- og adressebeskyttelse: adressen vises ikke.
person-protected-identity-label = Navne- og adressebeskyttelse (adressen må aldrig vises)
person-synthetic-note = Dette er en syntetisk demoperson, ikke en rigtig person.
sex-female = Kvinde
sex-male = Mand
id-scheme-swedish = Svensk personnummer eller samordningsnummer
id-scheme-danish = Dansk CPR-nummer
id-scheme-reserve = Lokalt erstatningsnummer
id-kind-personnummer = svensk personnummer
id-kind-samordningsnummer = samordningsnummer
id-kind-cpr = CPR-nummer
id-kind-reserve = erstatningsnummer

## Administration
org-new = Ny organisation
units-title = Enheder
units-none = Organisationen har ingen enheder endnu.
unit-new = Ny enhed
user-new = Ny bruger
user-display-name = Fulde navn
user-email = E-mail (valgfri)
user-username-hint = 2–64 tegn: små bogstaver, cifre, punktum, bindestreg eller understregning.
user-initial-password = Startadgangskode
user-reset-password = Angiv en ny adgangskode
user-reset-password-hint = Brugeren bliver logget ud alle steder og logger derefter ind med denne adgangskode.
user-access = Adgang
user-deactivate = Deaktiver bruger
user-deactivate-hint = En deaktiveret bruger bliver logget ud med det samme og kan ikke længere logge ind.
user-reactivate = Genaktiver bruger
user-memberships = Medlemskaber: enheder og roller
membership-add = Tilføj medlemskab
membership-remove = Fjern
country-se = Sverige
country-dk = Danmark

## Roller
role-administrator = Administrator
role-coordinator = Koordinator
role-professional = Sagsbehandler
role-programme_lead = Projektleder
role-auditor = Logrevisor

## Sektorer
sector-primary_care = Almen praksis
sector-hospital = Sygehus
sector-psychiatry = Psykiatri
sector-social_services = Socialforvaltning
sector-needs_assessment = Visitation
sector-home_care = Hjemmepleje og hjemmesygepleje
sector-school_health = Skolesundhedspleje
sector-child_health = Børnesundhed
sector-social_insurance = Udbetaling Danmark
sector-employment_service = Jobcenter
sector-association = Forening
sector-private_provider = Privat leverandør
sector-university = Universitet
sector-other = Andet

## Feltbeskeder
field-required = Feltet skal udfyldes.
field-too-long = Højst { $max } tegn.
field-control-character = Fjern kontroltegnene fra feltet.
date-invalid = "{ $value }" er ikke en dato. Brug ÅÅÅÅ-MM-DD.
date-end-before-start = Slutdatoen ligger før startdatoen.
country-unknown = Vælg Sverige eller Danmark.
sector-unknown = Vælg en sektor på listen.
name-taken = Navnet er allerede i brug.
organisation-unknown = En af de valgte organisationer findes ikke.
unit-unknown = Vælg en enhed på listen.
role-unknown = Vælg en rolle på listen.
username-invalid = Brug 2–64 tegn: små bogstaver, cifre, punktum, bindestreg eller understregning.
username-taken = Brugernavnet er allerede i brug.
email-invalid = Det er ikke en e-mailadresse.
user-cannot-deactivate-self = Du kan ikke deaktivere din egen konto.
id-scheme-unknown = Vælg nummertypen på listen.
sex-unknown = Vælg kvinde, mand eller ingenting.
phone-invalid = Et telefonnummer må kun indeholde cifre, mellemrum, +, - og parenteser.
language-invalid = Brug en sprogkode, f.eks. sv, da eller en.
national-id-already-registered = Der er allerede registreret en person med dette identitetsnummer. Søg efter personen i stedet.
national-id-empty = Indtast identitetsnummeret.
national-id-invalid-character = Tegnet "{ $character }" på plads { $position } er ikke tilladt. Brug cifre og højst én - eller +.
national-id-wrong-length = Et svensk nummer har 10 eller 12 cifre; dette har { $digits }.
national-id-cpr-wrong-length = Et CPR-nummer har 10 cifre; dette har { $digits }.
national-id-multiple-separators = Brug højst ét skilletegn (- eller +).
national-id-misplaced-separator = Skilletegnet skal stå før de sidste fire cifre.
national-id-plus-in-twelve-digit-form = Et 12-cifret nummer skrives uden +.
national-id-invalid-century = Århundredet { $century } er ikke muligt.
national-id-invalid-month = Der findes ingen måned { $month }.
national-id-invalid-day = Der findes ingen dag { $day } i den måned.
national-id-in-future = Fødselsdatoen ligger i fremtiden.
national-id-checksum-mismatch = Kontrolcifret er forkert (det sidste ciffer skulle være { $expected }, ikke { $found }). Tjek for tastefejl.
national-id-reserve-too-long = Et erstatningsnummer har højst { $max } tegn.

## Fejl
error-forbidden-title = Ikke tilladt
error-forbidden = Din rolle giver ikke adgang til denne side. Hvis du har brug for den i dit arbejde, så spørg en administrator.
error-csrf = Formularen var udløbet eller kom ikke fra Samverka. Gå tilbage, genindlæs siden, og prøv igen.
error-not-found-title = Siden blev ikke fundet
error-not-found = Der er intet på denne adresse, eller du har ikke adgang til det.
error-bad-request-title = Der er noget galt med forespørgslen
error-invalid-request = Forespørgslen kunne ikke forstås.
error-form-missing = Formularens data mangler.
error-form-too-large = Formularen er for stor.
error-form-unreadable = Formularens data kunne ikke læses.
error-internal-title = Noget gik galt
error-internal = Samverka kunne ikke gennemføre forespørgslen. Intet er blevet ændret. Prøv igen, og kontakt din administrator, hvis det sker igen.
